/** The response cache's contract (SPEC §3 models[].cache): stages/cache.ts keeps it in memory, state/redis-cache.ts in Redis. */
import type { MaybePromise } from '../core/types.js'

export interface CachedResponse {
  readonly contentType: string
  /** x-llmgw-provider / x-llmgw-model of the answer that was stored. */
  readonly headers: ReadonlyArray<readonly [string, string]>
  readonly body: Buffer
}

export interface ResponseCache {
  /** Synchronous from memory; a promise only where a lookup leaves the process (the Redis tier, state/redis-cache.ts). */
  get(key: string): MaybePromise<CachedResponse | undefined>
  /** staleMs: kept (within the size caps) this long past ttlMs for getStale(); 0 or absent = dropped at ttlMs. */
  set(key: string, value: CachedResponse, ttlMs: number, staleMs?: number): void
  /** The entry even if expired, while within its staleMs (models[].degrade.stale, compile/degrade.ts). Off the hot path. */
  getStale(key: string): MaybePromise<CachedResponse | undefined>
  readonly size: number
  readonly bytes: number
  clear(): void
}
