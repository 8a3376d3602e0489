/** The store limits and budgets count in (SPEC §3 state.store): memory of this thread, or Redis shared by replicas. */
import { redactUrl } from '../compile/redact.js'
import type { Spec } from '../spec/schema.js'
import { createMemoryStore } from '../state/memory.js'
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

/** memory -> a store of this thread; redis -> ioredis (imported only then), checked with one command before serving. */
export async function createStateStore(spec: Spec): Promise<OwnedStore> {
  if (spec.state.store !== 'redis') return { store: createMemoryStore(), close: () => Promise.resolve() }
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
