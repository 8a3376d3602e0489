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

/** Each text on a budget of its own (wire/token-count.ts); ~4 characters a token if the encoder throws. */
function count(text: string): number {
  if (text.length === 0) return 0
  try {
    return new BoundedCounter(tokens).count(text)
  } catch {
    return Math.ceil(text.length / 4)
  }
}

parentPort?.on('message', (job: CountJob) => {
  const reply: CountReply = { id: job.id, counts: job.texts.map(count) }
  parentPort?.postMessage(reply)
})
