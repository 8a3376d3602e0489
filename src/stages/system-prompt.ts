/** `rules[].type: system-prompt` (SPEC §3 rules): prepend a system message, or replace the client's system messages. */
import type { Guard } from '../core/pipeline.js'

export interface SystemPromptRule {
  readonly text: string
  readonly mode: 'prepend' | 'replace'
}

/** Chat-shaped bodies only (chat and Anthropic messages, which arrive canonicalised); other endpoints get no code. */
export function compileSystemPrompt(rule: SystemPromptRule): Guard {
  const text = rule.text
  const replace = rule.mode === 'replace'
  return (cx) => {
    if (cx.endpoint !== 'chat' && cx.endpoint !== 'messages' && cx.endpoint !== 'responses') return
    const messages = cx.body.messages
    if (!Array.isArray(messages)) return
    const kept = replace ? messages.filter((m) => !isSystem(m)) : messages
    cx.body.messages = [{ role: 'system', content: text }, ...kept]
  }
}

const isSystem = (m: unknown): boolean => {
  const role = (m as { role?: unknown } | null)?.role
  return role === 'system' || role === 'developer'
}
