/** The store limits and budgets count in (SPEC §3 state.store): memory of this thread, or Redis shared by replicas. */
import { redactUrl } from '../compile/redact.js'
import type { Spec } from '../spec/schema.js'
import type { RedisStore } from '../state/redis.js'
import { createMemoryStore, DEFAULT_PINNED_BUCKETS, type StoreCapacity } from '../state/memory.js'
import { WAYS } from '../state/slot-table.js'
import type { Store } from '../state/types.js'
import { createMemoryCache, type ResponseCache } from '../stages/cache.js'

/** A store the app owns, with how to close it on shutdown. */
export interface OwnedStore {
  readonly store: Store
  /** false while Redis is down with state.onUnavailable: closed (/readyz answers 503); always true otherwise. */
  ready(): boolean
  /** The shared response cache (state.store: redis); absent: each model's cache is a memory cache. */
  readonly createCache?: (identity: string) => ResponseCache
  close(): Promise<void>
}

/** Where the store reports its health (app-state.ts binds these to the log and the metrics). */
export interface StoreReport {
  onChange?(up: boolean, why: string): void
  onUnavailable?(action: 'rejected' | 'local'): void
  /** Redis did not answer at start and state.onUnavailable is open: serving on local limits until it does. */
  onStartDegraded?(why: string): void
}

const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379'
/** How long start waits for Redis before it gives up with a clear error instead of hanging. */
const CONNECT_TIMEOUT_MS = 3000

/** Thrown at start when Redis cannot be reached: serve exits 1 with this message (no secrets in it). */
export class StateStoreError extends Error {
  override readonly name = 'StateStoreError'
}

// Headroom over the first spec's limit identities: a reload that adds keys or changes a limit value claims new
// entries (the old ones stay until restart), and a set-associative table wants to stay well under full.
const HEADROOM = 4
const MAX_PINNED_BUCKETS = 1 << 19

/**
 * Memory-store capacity for a spec, fixed at start (the --workers tables are SharedArrayBuffers that cannot grow):
 * one pinned entry per key limit, budget and global limit, times HEADROOM, never below the defaults. 30,000 keys
 * with rpm, tpm and concurrency get 65,536 buckets (~15 MB) instead of a table that is full at ~32,000 entries.
 */
export function capacityFor(spec: Spec): StoreCapacity {
  let ids = (spec.limits.global?.rps ? 1 : 0) + (spec.limits.global?.concurrency ? 1 : 0)
  for (const k of spec.keys) ids += (k.limits?.rpm ? 1 : 0) + (k.limits?.tpm ? 1 : 0) + (k.limits?.concurrency ? 1 : 0) + (k.budget ? 1 : 0)
  const wanted = Math.ceil((ids * HEADROOM) / WAYS)
  let buckets = DEFAULT_PINNED_BUCKETS
  while (buckets < wanted && buckets < MAX_PINNED_BUCKETS) buckets *= 2
  return { pinnedBuckets: buckets }
}

/** memory -> a store of this thread; redis -> ioredis (imported only then) behind the state.onUnavailable policy. */
export async function createStateStore(spec: Spec, report: StoreReport = {}): Promise<OwnedStore> {
  if (spec.state.store !== 'redis') return { store: createMemoryStore(capacityFor(spec)), ready: () => true, close: () => Promise.resolve() }
  const url = spec.state.redis?.url?.reveal() || DEFAULT_REDIS_URL
  const policy = spec.state.onUnavailable
  const [{ createRedisStore }, { createFailoverStore }, { createSharedCache }] = await Promise.all([
    import('../state/redis.js'), import('../state/failover.js'), import('../state/redis-cache.js'),
  ])
  const redis = createRedisStore({
    url,
    prefix: spec.state.redis?.prefix ?? 'llmgw:',
    ...(spec.state.redis ? { commandTimeoutMs: spec.state.redis.commandTimeout } : {}),
  })
  try {
    await connected(redis)
  } catch (e) {
    const raw = e instanceof Error ? e.message : String(e)
    const why = redactUrl(/max retries/i.test(raw) ? 'connection failed' : raw)
    if (policy === 'closed') {
      await redis.close().catch(() => undefined)
      throw new StateStoreError(`state.store is redis but ${redactUrl(url)} cannot be reached (${why})`)
    }
    report.onStartDegraded?.(`${redactUrl(url)} cannot be reached (${why})`)
  }
  // open: the local limits an outage falls back to, sized like the memory store; closed never counts locally.
  const local = policy === 'open' ? createMemoryStore(capacityFor(spec)) : createMemoryStore({ pinnedBuckets: 1, ipBuckets: 1 })
  const store = createFailoverStore(redis, local, policy, {
    onChange: (up, why) => report.onChange?.(up, redactUrl(why)),
    ...(report.onUnavailable ? { onUnavailable: report.onUnavailable } : {}),
  })
  const maxEntryBytes = spec.state.redis?.cacheMaxEntry ?? 256 * 1024
  return {
    store,
    ready: () => policy === 'open' || store.up,
    createCache: (identity) => createSharedCache(redis, identity, createMemoryCache(), { maxEntryBytes, up: () => store.up }),
    close: () => store.close(),
  }
}

/** Resolves once Redis answers; rejects on the first connection error or after CONNECT_TIMEOUT_MS (start fails fast). */
function connected(redis: RedisStore): Promise<void> {
  if (redis.connected) return Promise.resolve()
  let timer: NodeJS.Timeout | undefined
  return new Promise<void>((resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${CONNECT_TIMEOUT_MS} ms`)), CONNECT_TIMEOUT_MS)
    redis.on('ready', resolve)
    redis.on('error', reject)
  }).finally(() => clearTimeout(timer))
}
