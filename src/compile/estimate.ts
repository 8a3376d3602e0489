/** Admission estimates (SPEC §7): prompt tokens with gpt-tokenizer plus max_tokens (or 1024), and their cost. */
import type { Endpoint } from '../core/types.js'
import { BoundedCounter, type Encode } from '../wire/token-count.js'

type RawEncode = (text: string, opts: { disallowedSpecial: Set<string> }) => number[]

// gpt-tokenizer needs ~400 ms to load its ranks, and reservedTokens() is synchronous: start loading at compile time
// (only when a stage will ask), estimate ~4 characters per token until it is there.
let encode: Encode | undefined
let loading: Promise<void> | undefined
const NO_SPECIAL = new Set<string>()

export function preloadTokenizer(): Promise<void> {
  return (loading ??= import('gpt-tokenizer').then(
    (m) => {
      const raw = m.encode as unknown as RawEncode
      encode = (text) => raw(text, { disallowedSpecial: NO_SPECIAL }).length
    },
    () => undefined,
  ))
}

/** Whether preloadTokenizer() was called in this thread (compile/gateway.ts calls it only when tokens are counted). */
export const tokenizerRequested = (): boolean => loading !== undefined

// Texts repeat across requests (system prompts, few-shot examples, short user turns): their counts are remembered.
// Bounded: at most CACHE_ENTRIES texts of at most CACHE_MAX_CHARS each (a few MB); the whole map is dropped when full,
// which is cheaper per request than LRU bookkeeping and refills within a few requests.
const CACHE_MAX_CHARS = 2048
const CACHE_ENTRIES = 1024
let counted = new Map<string, number>()

/**
 * Tokens of a text with gpt-tokenizer once loaded (~4 characters per token before); shared by context trimming.
 * `counter` bounds the encoding work of one request's texts together (wire/token-count.ts: a long prompt is never a
 * long stall); without one, the text gets a budget of its own.
 */
export function countTokens(text: string, counter?: BoundedCounter): number {
  if (text.length === 0) return 0
  if (encode) {
    const cacheable = text.length <= CACHE_MAX_CHARS
    if (cacheable) {
      const n = counted.get(text)
      if (n !== undefined) return n
    }
    try {
      const n = (counter ?? new BoundedCounter(encode)).count(text)
      if (cacheable) {
        if (counted.size >= CACHE_ENTRIES) counted = new Map()
        counted.set(text, n)
      }
      return n
    } catch {
      // counted by the estimate below
    }
  }
  return Math.ceil(text.length / 4)
}

/** Text of the prompt side of a canonical body; roles cost ~4 tokens per message as in OpenAI's accounting. */
function promptTokens(endpoint: Endpoint, body: Record<string, unknown>): number {
  const counter = encode === undefined ? undefined : new BoundedCounter(encode)
  // responses and count_tokens bodies arrive here already in the canonical chat shape (wire/request.ts)
  if (endpoint !== 'completions' && endpoint !== 'embeddings') {
    const messages = body.messages as Array<{ content?: unknown }>
    let n = 3
    for (const m of messages) n += 4 + countTokens(contentText(m.content), counter)
    return n
  }
  const v = endpoint === 'completions' ? body.prompt : body.input
  if (typeof v === 'string') return countTokens(v, counter)
  if (Array.isArray(v)) {
    let n = 0
    for (const x of v) n += typeof x === 'string' ? countTokens(x, counter) : Array.isArray(x) ? x.length : 1
    return n
  }
  return 0
}

function contentText(c: unknown): string {
  if (typeof c === 'string') return c
  if (!Array.isArray(c)) return ''
  let s = ''
  for (const part of c) if (part && typeof part === 'object' && typeof (part as { text?: unknown }).text === 'string') s += (part as { text: string }).text
  return s
}

/** Prompt estimate, and max_tokens | max_completion_tokens | 1024 for the answer (embeddings have none). */
export function estimateReservation(endpoint: Endpoint, body: Record<string, unknown>): { prompt: number; completion: number } {
  const prompt = promptTokens(endpoint, body)
  if (endpoint === 'embeddings' || endpoint === 'count_tokens') return { prompt, completion: 0 }
  const max = (body.max_completion_tokens ?? body.max_tokens) as number | undefined
  return { prompt, completion: typeof max === 'number' ? max : 1024 }
}
