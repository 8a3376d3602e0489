/**
 * Model `cache: { ttl }` (SPEC §3): an exact-match response cache, bounded in entries and bytes, LRU with TTL. An entry
 * may be kept past its ttl for `staleMs` more (models[].degrade.stale): fresh lookups miss it, getStale() still finds it.
 */
import { createHash } from 'node:crypto'
import type { Endpoint } from '../core/types.js'
import type { CachedResponse, ResponseCache } from '../state/cache-types.js'

export type { CachedResponse, ResponseCache } from '../state/cache-types.js'

/** The memory store answers at once: no promise, no added latency on the memory path. */
export interface MemoryCache extends ResponseCache {
  get(key: string): CachedResponse | undefined
  getStale(key: string): CachedResponse | undefined
}

export interface CacheLimits {
  /** Most entries kept; the least recently used go first. */
  readonly maxEntries: number
  /** Most body bytes kept in all. */
  readonly maxBytes: number
  /** A single answer larger than this is not stored (it would evict too much). */
  readonly maxEntryBytes: number
}

export const DEFAULT_CACHE_LIMITS: CacheLimits = { maxEntries: 10_000, maxBytes: 64 * 1024 * 1024, maxEntryBytes: 1024 * 1024 }

/**
 * The key: endpoint, public model and the exact request bytes. Exact means byte-exact: two JSON texts that differ only
 * in spacing or key order are different entries, which keeps the lookup a single hash with no re-serialisation.
 */
export function cacheKey(endpoint: Endpoint, model: string, body: Uint8Array): string {
  return createHash('sha256').update(endpoint).update('\0').update(model).update('\0').update(body).digest('base64url')
}

/** `cache-control: no-cache` / `no-store` from the client skips the cache (x-llmgw-cache: BYPASS). */
export function isBypass(cacheControl: string | undefined): boolean {
  return cacheControl !== undefined && /no-cache|no-store/i.test(cacheControl)
}

interface Entry {
  value: CachedResponse
  expiresAt: number
  /** expiresAt + staleMs: after this not even getStale() returns it. */
  keepUntil: number
}

/** A Map keeps insertion order: re-inserting on a hit makes its first key the least recently used. */
export function createMemoryCache(limits: CacheLimits = DEFAULT_CACHE_LIMITS): MemoryCache {
  const map = new Map<string, Entry>()
  let bytes = 0
  const drop = (key: string, e: Entry) => {
    map.delete(key)
    bytes -= e.value.body.length
  }
  return {
    get(key) {
      const e = map.get(key)
      if (e === undefined) return undefined
      const now = Date.now()
      if (e.expiresAt <= now) {
        // expired: kept only for a stale answer (an entry with staleMs 0 has keepUntil === expiresAt)
        if (e.keepUntil <= now) drop(key, e)
        return undefined
      }
      map.delete(key)
      map.set(key, e)
      return e.value
    },
    getStale(key) {
      const e = map.get(key)
      if (e === undefined) return undefined
      if (e.keepUntil <= Date.now()) {
        drop(key, e)
        return undefined
      }
      return e.value
    },
    set(key, value, ttlMs, staleMs = 0) {
      if (value.body.length > limits.maxEntryBytes || ttlMs <= 0) return
      const old = map.get(key)
      if (old !== undefined) drop(key, old)
      const expiresAt = Date.now() + ttlMs
      map.set(key, { value, expiresAt, keepUntil: expiresAt + Math.max(0, staleMs) })
      bytes += value.body.length
      for (const [k, e] of map) {
        if (map.size <= limits.maxEntries && bytes <= limits.maxBytes) break
        drop(k, e)
      }
    },
    get size() {
      return map.size
    },
    get bytes() {
      return bytes
    },
    clear() {
      map.clear()
      bytes = 0
    },
  }
}
