/**
 * The response cache wrapper (SPEC §3 models[].cache, §4 x-llmgw-cache): BYPASS on the client's no-cache, a HIT answered
 * from the store with no attempt, a MISS recorded on its way to the client and stored when it completed whole.
 */
import { isPromise } from '../core/sync.js'
import { asBuffer, type Bytes } from '../core/bytes.js'
import type { HeaderPairs, MaybePromise, Sink } from '../core/types.js'
import { type CachedResponse, cacheKey, isBypass, type ResponseCache } from '../stages/cache.js'
import type { Call, CompiledModel } from './call.js'
import type { Relay } from './relay.js'
import { KEEPALIVE } from './respond.js'

/** Bytes of one answer kept for the cache; a longer answer is not cached (and stops being recorded). */
const MAX_RECORDED_BYTES = 1024 * 1024
import type { Wrap } from './with-experiment.js'

/** null when the model has no cache: no code on its path. */
export function compileCacheWrap(model: CompiledModel, openRelay: (call: Call, sink: Sink) => Relay): Wrap | null {
  const cache = model.cache
  if (cache === undefined) return null
  const { store, ttlMs, staleMs } = cache
  return (next) => async (call) => {
    const ex = call.ex
    const cx = call.cx!
    if (isBypass(ex.headers['cache-control'])) {
      call.cache = 'BYPASS'
      cx.headers.push(['x-llmgw-cache', 'BYPASS'])
      return next(call)
    }
    const key = cacheKey(call.endpoint, model.name, ex.body)
    const got = lookup(store, key)
    const hit = isPromise(got) ? await got : got
    if (hit !== undefined) {
      call.cache = 'HIT'
      call.sink.send(200, [['content-type', hit.contentType], ...hit.headers, ['x-llmgw-cache', 'HIT'], ['x-llmgw-attempts', '0'], ...cx.headers], hit.body)
      answeredFromCache(call, hit)
      return
    }
    call.cache = 'MISS'
    cx.headers.push(['x-llmgw-cache', 'MISS'])
    // models[].degrade.stale: an expired entry for this key may still answer if the whole chain fails (compile/degrade.ts)
    if (staleMs > 0) call.staleEntry = { store, key }
    const recorder = new RecordingSink(call.sink)
    const relay = (call.relay = openRelay(call, recorder))
    await next(call)
    if (call.status !== 200 || relay.blockedBy !== undefined || call.degraded !== undefined) return
    const body = recorder.recorded()
    if (body === undefined) return
    const h: Array<[string, string]> = [['x-llmgw-provider', call.provider ?? '']]
    if (call.upstreamModel !== undefined) h.push(['x-llmgw-model', call.upstreamModel])
    // a shared store that fails to keep the answer costs a later MISS, never this response
    const stored: MaybePromise<unknown> = store.set(key, { contentType: recorder.contentType, headers: h, body }, ttlMs, staleMs)
    if (isPromise(stored)) stored.catch(() => undefined)
  }
}

/**
 * A shared store (redis) answers later, the memory store at once (no microtask then). A store that fails is a MISS:
 * the cache may only make answers cheaper, never refuse one.
 */
function lookup(store: ResponseCache, key: string): MaybePromise<CachedResponse | undefined> {
  let got: MaybePromise<CachedResponse | undefined>
  try {
    got = store.get(key)
  } catch {
    return undefined
  }
  return isPromise(got) ? got.catch(() => undefined) : got
}

/** A HIT: answered with no upstream attempt and no tokens spent. */
function answeredFromCache(call: Call, hit: CachedResponse): void {
  const get = (n: string) => hit.headers.find(([k]) => k === n)?.[1]
  call.status = 200
  call.provider = get('x-llmgw-provider')
  call.upstreamModel = get('x-llmgw-model')
}

/**
 * The client's Sink with a copy of what reaches it (a MISS): the answer's body bytes and content type, keepalive
 * comments left out. Only answers the client got whole are stored (the caller checks the outcome).
 */
class RecordingSink implements Sink {
  #parts: Bytes[] | undefined = []
  #bytes = 0
  contentType = 'application/json'

  constructor(private readonly inner: Sink) {}

  get isAborted(): boolean {
    return this.inner.isAborted
  }

  get isStarted(): boolean {
    return this.inner.isStarted
  }

  send(status: number, headers: HeaderPairs, body: string | Uint8Array): void {
    this.#type(headers)
    this.#record(body)
    this.inner.send(status, headers, body)
  }

  start(status: number, headers: HeaderPairs): void {
    this.#type(headers)
    this.inner.start(status, headers)
  }

  write(chunk: string | Uint8Array): boolean {
    if (chunk !== KEEPALIVE) this.#record(chunk)
    return this.inner.write(chunk)
  }

  drained(): Promise<void> {
    return this.inner.drained()
  }

  end(chunk?: string | Uint8Array): void {
    if (chunk !== undefined) this.#record(chunk)
    this.inner.end(chunk)
  }

  /** The recorded answer, copied (parts may be views of upstream read buffers; an entry must own its bytes). */
  recorded(): Buffer | undefined {
    return this.#parts === undefined ? undefined : Buffer.concat(this.#parts.map(asBuffer))
  }

  #type(headers: HeaderPairs): void {
    for (const [k, v] of headers) if (k === 'content-type') return void (this.contentType = v)
  }

  #record(b: Bytes): void {
    if (this.#parts === undefined) return
    this.#bytes += b.length
    if (this.#bytes > MAX_RECORDED_BYTES) this.#parts = undefined
    else this.#parts.push(b)
  }
}
