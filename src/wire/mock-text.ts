/** The mock's deterministic answer text (SPEC §2 `mock`): the same conversation always yields the same words. */
import { contentText, isObject } from './openai.js'

/** The default answer length in tokens (= words): a default stream has 20 content chunks. */
export const DEFAULT_ANSWER_TOKENS = 20

const WORDS = (
  'the a gateway model answer token stream fast quiet river mountain signal cloud light paper stone ' +
  'green blue small large early late simple clear open steady bright calm north south east west ' +
  'request response header chunk route limit budget cache queue breaker retry fallback proxy mock ' +
  'value number letter window garden orbit harbor meadow copper silver amber cedar maple willow echo'
).split(' ')

/** FNV-1a, 32 bit: cheap and stable across processes. */
export function hashText(s: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}

/** mulberry32: a tiny seeded PRNG in [0, 1). */
export function createRandom(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * The conversation as one string, the same for an OpenAI chat body and the equivalent Anthropic Messages body
 * (system text first), so both wire formats of one request give the same answer.
 */
export function conversationKey(body: Readonly<Record<string, unknown>>): string {
  const parts: string[] = []
  if (body.system !== undefined) parts.push(`system\u0000${contentText(body.system)}`)
  if (Array.isArray(body.messages)) {
    for (const m of body.messages as unknown[]) {
      if (!isObject(m)) continue
      const role = m.role === 'developer' ? 'system' : String(m.role)
      parts.push(`${role}\u0000${contentText(m.content)}`)
    }
  } else if (body.prompt !== undefined) parts.push(`user\u0000${typeof body.prompt === 'string' ? body.prompt : JSON.stringify(body.prompt)}`)
  return parts.join('\u0001')
}

/** One word of the mock's vocabulary, drawn with rnd. */
export const pickWord = (rnd: () => number): string => WORDS[Math.floor(rnd() * WORDS.length)] as string

/** n answer words (each one "token"), chosen from the hash of the conversation. */
export function answerWords(key: string, n: number): string[] {
  const rnd = createRandom(hashText(key))
  const out = new Array<string>(n)
  for (let i = 0; i < n; i++) out[i] = WORDS[Math.floor(rnd() * WORDS.length)] as string
  if (n > 0) out[0] = (out[0] as string).charAt(0).toUpperCase() + (out[0] as string).slice(1)
  return out
}

/** The streamed pieces of an answer: "Word", " word", " word." (joined, they are the full text). */
export function answerPieces(words: readonly string[]): string[] {
  return words.map((w, i) => (i === 0 ? w : ` ${w}`) + (i === words.length - 1 ? '.' : ''))
}

/** Whitespace-separated words in text: the mock's token count for prompts. */
export function countWords(text: string): number {
  let n = 0
  let inWord = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    const space = c === 32 || c === 10 || c === 9 || c === 13 || c === 0 || c === 1
    if (!space && !inWord) n++
    inWord = !space
  }
  return n
}
