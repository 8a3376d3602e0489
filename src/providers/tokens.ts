/**
 * Token counting for streams and answers the upstream reported no usage for (SPEC §7: never recorded as zero).
 *
 * Counting happens in a worker thread (token-worker.ts), started on first need. Why: gpt-tokenizer takes ~450 ms of
 * module evaluation to load its ranks, and encoding a long answer takes milliseconds more; on the event loop, the
 * first client that left mid-stream stalled every request in flight for half a second, and a self-hosted upstream
 * that never reports usage had every answer encoded on the request thread. The accounting is asynchronous anyway
 * (it settles after the response ended), so nothing waits on the worker but the usage record itself.
 */
import { Worker } from 'node:worker_threads'
import type { Usage } from '../core/types.js'
import { WORKER_EXEC_ARGV } from '../core/worker-argv.js'
import { EXACT_CHARS } from '../wire/token-count.js'

/** What tokens.ts asks the worker. */
export interface CountJob {
  id: number
  /** Each text's first EXACT_CHARS characters: all the worker encodes (copying a 4 MB prompt cost the request thread ~8 ms). */
  texts: string[]
  /** Each text's whole length: past the head, characters count at the head's tokens per character. */
  lengths: number[]
}

/** What the worker answers: one count per text, in order. */
export interface CountReply {
  id: number
  counts: number[]
}

const WORKER_URL = new URL('./token-worker.js', import.meta.url)

/** ~4 characters per token: the count when the worker cannot run (SPEC §7 still never records zero). */
const estimate = (text: string): number => Math.ceil(text.length / 4)

let worker: Worker | undefined
/** Set when a worker died before ever answering (the tokenizer cannot load here): estimate from then on. */
let broken = false
let answered = false
let nextId = 0
const pending = new Map<number, (counts: number[] | undefined) => void>()

function counter(): Worker | undefined {
  if (worker !== undefined || broken) return worker
  let w: Worker
  try {
    w = new Worker(WORKER_URL, { execArgv: [...WORKER_EXEC_ARGV] })
  } catch {
    broken = true
    return undefined
  }
  w.on('message', (r: CountReply) => {
    answered = true
    const done = pending.get(r.id)
    pending.delete(r.id)
    done?.(r.counts)
    // idle: a waiting worker must not keep a finished process alive
    if (pending.size === 0) w.unref()
  })
  w.on('error', () => undefined) // the exit that follows settles what was pending
  w.on('exit', () => {
    if (worker === w) worker = undefined
    if (!answered) broken = true
    for (const done of pending.values()) done(undefined)
    pending.clear()
  })
  w.unref()
  worker = w
  return w
}

/** Tokens of each text (o200k encoding, bounded in time: wire/token-count.ts), estimated if the worker cannot count. */
export function countTexts(texts: string[]): Promise<number[]> {
  const w = texts.some((t) => t.length > 0) ? counter() : undefined
  if (w === undefined) return Promise.resolve(texts.map(estimate))
  const id = nextId++
  if (pending.size === 0) w.ref()
  return new Promise((resolve) => {
    pending.set(id, (counts) => resolve(counts ?? texts.map(estimate)))
    const job: CountJob = { id, texts: texts.map((t) => (t.length > EXACT_CHARS ? t.slice(0, EXACT_CHARS) : t)), lengths: texts.map((t) => t.length) }
    w.postMessage(job)
  })
}

/** Usage counted from the relayed completion text and the prompt, for answers that came without one. */
export async function countUsage(prompt: string, completion: string): Promise<Usage> {
  const [p = 0, c = 0] = await countTexts([prompt, completion])
  // a non-empty answer is never zero tokens, nor is a request (it has at least its role markers)
  const completionTokens = Math.max(c, completion.length > 0 ? 1 : 0)
  const promptTokens = Math.max(p, 1)
  return { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens }
}
