/** Model `context: { maxInputTokens, strategy: drop-oldest }` (SPEC §3): keep system messages and the newest that fit. */
import type { Guard } from '../core/pipeline.js'
import { messageText } from '../wire/text-parts.js'

export interface ContextPlan {
  readonly maxInputTokens: number
  readonly strategy: 'drop-oldest'
}

/** Per-message overhead in OpenAI's chat accounting (role and separators). */
const PER_MESSAGE = 4

/**
 * Counts with the gateway's tokenizer (`count`, shared with admission estimates). The newest message is always kept,
 * even alone over the budget: the upstream then answers with its own context error rather than getting no question.
 * Leading assistant/tool messages left after trimming are dropped too, since providers require a user turn first.
 */
export function compileContextTrim(plan: ContextPlan, count: (text: string) => number): Guard {
  const max = plan.maxInputTokens
  return (cx) => {
    if (cx.endpoint !== 'chat' && cx.endpoint !== 'messages' && cx.endpoint !== 'responses') return
    const messages = cx.body.messages
    if (!Array.isArray(messages) || messages.length <= 1) return
    const cost = messages.map((m) => PER_MESSAGE + count(messageText(m)))
    let total = 0
    for (const c of cost) total += c
    if (total <= max) return
    const keep = new Array<boolean>(messages.length).fill(false)
    let used = 0
    messages.forEach((m, i) => {
      if (isSystem(m)) {
        keep[i] = true
        used += cost[i]!
      }
    })
    let newest = true
    for (let i = messages.length - 1; i >= 0; i--) {
      if (keep[i]) continue
      if (newest || used + cost[i]! <= max) {
        keep[i] = true
        used += cost[i]!
        newest = false
      } else break
    }
    let kept = messages.filter((_, i) => keep[i])
    const firstTurn = kept.findIndex((m) => !isSystem(m))
    let drop = firstTurn
    while (drop >= 0 && drop < kept.length - 1 && roleOf(kept[drop]) !== 'user' && !isSystem(kept[drop])) drop++
    if (drop > firstTurn) kept = [...kept.slice(0, firstTurn), ...kept.slice(drop)]
    cx.body.messages = kept
  }
}

const roleOf = (m: unknown): unknown => (m as { role?: unknown } | null)?.role
const isSystem = (m: unknown): boolean => roleOf(m) === 'system' || roleOf(m) === 'developer'
