/**
 * `batching.embeddings: { maxBatch, maxWait }` (SPEC §3): embedding requests to the same upstream model that arrive
 * within maxWait are sent as one upstream call (up to maxBatch inputs) and the answer is split back per request.
 * A provider wrapper: compile/ applies it to each provider client when batching is on; other endpoints pass through.
 */
import { GatewayError } from '../core/errors.js'
import type { Usage } from '../core/types.js'
import type { AttemptResult, AttemptSink, ProviderClient, UpstreamCall } from '../core/provider.js'

export interface BatchPlan {
  readonly maxBatch: number
  readonly maxWaitMs: number
}

type Item = string | number[]

interface Waiter {
  readonly call: UpstreamCall
  readonly sink: AttemptSink
  readonly items: Item[]
  resolve(r: AttemptResult): void
  reject(e: unknown): void
}

interface Batch {
  readonly key: string
  readonly waiters: Waiter[]
  size: number
  timer: NodeJS.Timeout | undefined
}

/** Inputs as a list of items plus whether they are token arrays; undefined when the shape cannot be batched. */
function itemsOf(input: unknown): { items: Item[]; kind: 'text' | 'tokens' } | undefined {
  if (typeof input === 'string') return { items: [input], kind: 'text' }
  if (!Array.isArray(input) || input.length === 0) return undefined
  if (input.every((s) => typeof s === 'string')) return { items: input as string[], kind: 'text' }
  if (input.every((n) => typeof n === 'number')) return { items: [input as number[]], kind: 'tokens' }
  if (input.every((a) => Array.isArray(a))) return { items: input as number[][], kind: 'tokens' }
  return undefined
}

/** Requests batch together only when everything but the input is the same (model, dimensions, format, user). */
function batchKey(body: Record<string, unknown>, kind: string): string {
  return `${String(body.model)}|${kind}|${String(body.dimensions ?? '')}|${String(body.encoding_format ?? '')}|${String(body.user ?? '')}`
}

export function wrapBatching(client: ProviderClient, plan: BatchPlan): ProviderClient {
  const open = new Map<string, Batch>()

  const flush = (b: Batch): void => {
    if (b.timer !== undefined) clearTimeout(b.timer)
    if (open.get(b.key) === b) open.delete(b.key)
    void send(client, b.waiters)
  }

  // Routing asks wrapped clients isAvailable() (breaker) and the dashboard reads state(): keep both visible.
  const inner = client as ProviderClient & { isAvailable?(): boolean; state?(): unknown }
  return {
    name: client.name,
    type: client.type,
    close: () => client.close(),
    ...(inner.isAvailable ? { isAvailable: () => inner.isAvailable!() } : {}),
    ...(inner.state ? { state: () => inner.state!() } : {}),
    // translators are chosen by what the client speaks natively (src/translate/): the wrapper must not hide it
    ...(client.speaks ? { speaks: (ep) => client.speaks!(ep) } : {}),
    call(req: UpstreamCall, sink: AttemptSink): Promise<AttemptResult> {
      const parsed = req.endpoint === 'embeddings' && !req.stream ? itemsOf(req.body.input) : undefined
      if (parsed === undefined || parsed.items.length >= plan.maxBatch) return client.call(req, sink)
      const key = batchKey(req.body, parsed.kind)
      return new Promise<AttemptResult>((resolve, reject) => {
        let b = open.get(key)
        if (b !== undefined && b.size + parsed.items.length > plan.maxBatch) {
          flush(b)
          b = undefined
        }
        if (b === undefined) {
          b = { key, waiters: [], size: 0, timer: undefined }
          open.set(key, b)
          const batch = b
          b.timer = setTimeout(() => flush(batch), plan.maxWaitMs)
        }
        b.waiters.push({ call: req, sink, items: parsed.items, resolve, reject })
        b.size += parsed.items.length
        if (b.size >= plan.maxBatch) flush(b)
      })
    },
  }
}

/** One upstream call for the batch; each waiter gets its slice of `data` (re-indexed) and its share of the usage. */
async function send(client: ProviderClient, waiters: Waiter[]): Promise<void> {
  const live = waiters.filter((w) => !w.call.signal.aborted)
  for (const w of waiters) if (w.call.signal.aborted) w.reject(new GatewayError('upstream_error', 'client closed the request'))
  if (live.length === 0) return
  if (live.length === 1) {
    const w = live[0]!
    client.call(w.call, w.sink).then(w.resolve, w.reject)
    return
  }
  // The batch is aborted only when every client in it has gone.
  const ac = new AbortController()
  let gone = 0
  for (const w of live) w.call.signal.addEventListener('abort', () => ++gone === live.length && ac.abort(), { once: true })
  const first = live[0]!
  const body = { ...first.call.body, input: live.flatMap((w) => w.items) }
  const chunks: Array<string | Uint8Array> = []
  const collect: AttemptSink = { begin: () => undefined, chunk: (c) => (chunks.push(c), true), drained: () => Promise.resolve() }
  try {
    const res = await client.call({ ...first.call, body, signal: ac.signal, timeoutMs: Math.min(...live.map((w) => w.call.timeoutMs)) }, collect)
    const text = chunks.map((c) => (typeof c === 'string' ? c : Buffer.from(c).toString('utf8'))).join('')
    const answer = JSON.parse(text) as { data?: Array<{ index: number }>; model?: string; usage?: Usage } & Record<string, unknown>
    const data = [...(answer.data ?? [])].sort((a, b) => a.index - b.index)
    if (data.length !== body.input.length) throw new GatewayError('upstream_error', 'the upstream answered a batched embeddings call with the wrong number of vectors')
    const total = body.input.length
    let at = 0
    for (const w of live) {
      const n = w.items.length
      const slice = data.slice(at, at + n).map((d, i) => ({ ...d, index: i }))
      at += n
      const usage = share(res.usage ?? answer.usage, n, total)
      const out = JSON.stringify({ ...answer, data: slice, ...(usage ? { usage: { prompt_tokens: usage.prompt_tokens, total_tokens: usage.total_tokens } } : {}) })
      if (w.call.signal.aborted) {
        w.reject(new GatewayError('upstream_error', 'client closed the request'))
        continue
      }
      w.sink.begin('application/json')
      w.sink.chunk(out)
      w.resolve({ usage, model: res.model ?? answer.model, firstByteAt: res.firstByteAt })
    }
  } catch (e) {
    // Anything but our own errors here is a malformed upstream answer (bad JSON, `data` not a list), not a bug.
    const err = e instanceof GatewayError ? e : new GatewayError('upstream_error', 'the upstream sent an invalid embeddings answer', { retryClass: 'status', cause: e })
    for (const w of live) w.reject(err)
  }
}

/** The batch's usage split by input count (the last waiter's rounding is absorbed so totals still add up closely). */
function share(u: Usage | undefined, n: number, total: number): Usage | undefined {
  if (u === undefined) return undefined
  const prompt = Math.round((u.prompt_tokens * n) / total)
  return { prompt_tokens: prompt, completion_tokens: 0, total_tokens: prompt }
}
