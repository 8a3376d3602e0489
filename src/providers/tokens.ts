/** Token counting for streams and answers the upstream reported no usage for (SPEC §7: never recorded as zero). */
import type { Usage } from '../core/types.js'
import { BoundedCounter } from '../wire/token-count.js'

type Encode = (text: string, opts: { disallowedSpecial: Set<string> }) => number[]

// gpt-tokenizer takes ~400 ms to load its ranks: load it only when an upstream really omitted usage.
let encoder: Promise<Encode | undefined> | undefined
const loadEncoder = (): Promise<Encode | undefined> =>
  (encoder ??= import('gpt-tokenizer').then(
    (m) => m.encode as unknown as Encode,
    () => undefined,
  ))

// Special-token text in an answer ("<|endoftext|>") is counted as ordinary text, never a throw.
const NO_SPECIAL = new Set<string>()

/** Tokens in text (o200k encoding), bounded in time (wire/token-count.ts); ~4 characters per token if the tokenizer cannot run. */
export async function countTokens(text: string): Promise<number> {
  if (text.length === 0) return 0
  const encode = await loadEncoder()
  if (encode) {
    try {
      return new BoundedCounter((s) => encode(s, { disallowedSpecial: NO_SPECIAL }).length).count(text)
    } catch {
      // fall through to the estimate
    }
  }
  return Math.ceil(text.length / 4)
}

/** Usage counted from the relayed completion text and the prompt, for answers that came without one. */
export async function countUsage(prompt: string, completion: string): Promise<Usage> {
  const [p, c] = await Promise.all([countTokens(prompt), countTokens(completion)])
  // a non-empty answer is never zero tokens, nor is a request (it has at least its role markers)
  const completionTokens = Math.max(c, completion.length > 0 ? 1 : 0)
  const promptTokens = Math.max(p, 1)
  return { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens }
}
