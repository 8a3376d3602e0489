/** The store limits and budgets count in (SPEC §3 state.store): memory of this thread, or Redis shared by replicas. */
import { redactUrl } from '../compile/redact.js'
import type { Spec } from '../spec/schema.js'
import { createMemoryStore, DEFAULT_PINNED_BUCKETS, type StoreCapacity } from '../state/memory.js'
import { WAYS } from '../state/slot-table.js'
import type { Store } from '../state/types.js'

/** A store the app owns, with how to close it on shutdown. */
export interface OwnedStore {
  readonly store: Store
  close(): Promise<void>
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

/** memory -> a store of this thread; redis -> ioredis (imported only then), checked with one command before serving. */
export async function createStateStore(spec: Spec): Promise<OwnedStore> {
  if (spec.state.store !== 'redis') return { store: createMemoryStore(capacityFor(spec)), close: () => Promise.resolve() }
  const url = spec.state.redis?.url?.reveal() || DEFAULT_REDIS_URL
  const prefix = spec.state.redis?.prefix ?? 'llmgw:'
  const { createRedisStore } = await import('../state/redis.js')
  const store = createRedisStore({ url, prefix })
  let timer: NodeJS.Timeout | undefined
  try {
    await Promise.race([
      store.gauge('llmgw-start-probe', 1).held(),
      new Promise<never>((_r, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${CONNECT_TIMEOUT_MS} ms`)), CONNECT_TIMEOUT_MS))),
    ])
  } catch (e) {
    await store.close().catch(() => undefined)
    // ioredis reports a refused connection as "max retries per request"; say what it means.
    const raw = e instanceof Error ? e.message : String(e)
    const why = /max retries/i.test(raw) ? 'connection failed' : raw
    throw new StateStoreError(`state.store is redis but ${redactUrl(url)} cannot be reached (${redactUrl(why)})`)
  } finally {
    clearTimeout(timer)
  }
  return { store, close: () => store.close() }
}
