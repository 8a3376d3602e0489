/**
 * The response cache wrapper (SPEC §3 models[].cache, §4 x-llmgw-cache): BYPASS on the client's no-cache, a HIT answered
 * from the store with no attempt, a MISS recorded on its way to the client and stored when it completed whole.
 */
import { isPromise } from '../core/sync.js'
import type { MaybePromise } from '../core/types.js'
import { type CachedResponse, cacheKey, isBypass, type ResponseCache } from '../stages/cache.js'
import type { Call, CompiledModel } from './call.js'
import type { Relay } from './relay.js'
import type { Wrap } from './with-experiment.js'

/** null when the model has no cache: no code on its path. */
export function compileCacheWrap(model: CompiledModel, openRelay: (call: Call) => Relay): Wrap | null {
  const cache = model.cache
  if (cache === undefined) return null
  const { store, ttlMs } = cache
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
    const relay = (call.relay = openRelay(call))
    relay.record()
    await next(call)
    if (call.status !== 200 || relay.blockedBy !== undefined) return
    const body = relay.recorded()
    if (body === undefined) return
    const h: Array<[string, string]> = [['x-llmgw-provider', call.provider ?? '']]
    if (call.upstreamModel !== undefined) h.push(['x-llmgw-model', call.upstreamModel])
    // a shared store that fails to keep the answer costs a later MISS, never this response
    const stored: MaybePromise<unknown> = store.set(key, { contentType: relay.contentType, headers: h, body }, ttlMs)
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
