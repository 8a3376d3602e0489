/** Worker thread entry of tokens.ts: gpt-tokenizer lives here, and the texts of answers without usage are counted here. */
import { parentPort } from 'node:worker_threads'
import { encode } from 'gpt-tokenizer'
import { BoundedCounter } from '../wire/token-count.js'
import type { CountJob, CountReply } from './tokens.js'

type RawEncode = (text: string, opts: { disallowedSpecial: Set<string> }) => number[]

// Special-token text in an answer ("<|endoftext|>") is counted as ordinary text, never a throw.
const NO_SPECIAL = new Set<string>()
const raw = encode as unknown as RawEncode
const tokens = (s: string): number => raw(s, { disallowedSpecial: NO_SPECIAL }).length

/**
 * Each text on a budget of its own (wire/token-count.ts); `length` is the whole text's, of which `head` is the start
 * (tokens.ts sends no more than the budget encodes): the rest counts at the head's ratio. ~4 characters a token if the
 * encoder throws.
 */
function count(head: string, length: number): number {
  if (length === 0) return 0
  try {
    const n = new BoundedCounter(tokens).count(head)
    return length > head.length && head.length > 0 ? n + Math.ceil((length - head.length) * (n / head.length)) : n
  } catch {
    return Math.ceil(length / 4)
  }
}

parentPort?.on('message', (job: CountJob) => {
  const reply: CountReply = { id: job.id, counts: job.texts.map((t, i) => count(t, job.lengths[i] ?? t.length)) }
  parentPort?.postMessage(reply)
})
