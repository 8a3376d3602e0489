/** The response cache shared through Redis (SPEC §3 state.store: redis shares limits, budgets and cache; issue 13). */
import { createHash } from 'node:crypto'
import type { CachedResponse, ResponseCache } from './cache-types.js'
import type { RedisStore } from './redis.js'

export interface SharedCacheOptions {
  /** state.redis.cacheMaxEntry: larger answers stay in this replica's cache only (0: nothing is shared). */
  readonly maxEntryBytes: number
  /** Redis answers now (the failover store's view): while down, lookups are local misses at once, nothing is sent. */
  readonly up: () => boolean
}

/*
 * Two tiers: this replica's memory cache first (a hit there is synchronous, as with the memory store), then Redis.
 * A Redis hit is copied into the local tier with the entry's remaining ttl. Entries are immutable (the key is a hash
 * of the exact request), so two tiers cannot disagree on a value, only on whether one exists. The cache is
 * best-effort: a Redis error or timeout is a miss, never a failed request, whatever state.onUnavailable says.
 *
 * An entry kept for stale answers (models[].degrade.stale) lives in Redis for ttl + staleMs (PX), its header saying
 * when it expires (e) and until when a stale answer may use it (k); fresh lookups miss it once e has passed.
 *
 * Value layout: 4-byte big-endian header length, header JSON {c: content-type, h: headers, e: expiry epoch ms,
 * k: keep-until epoch ms (absent = e)}, body.
 */
export function createSharedCache(redis: RedisStore, identity: string, local: ResponseCache, opts: SharedCacheOptions): ResponseCache {
  // The identity (model name, ttl, targets) names which replicas share entries; hashed, so keys stay short.
  const base = `${redis.prefix}cache:${createHash('sha256').update(identity).digest('base64url').slice(0, 16)}:`
  const client = redis.client
  const fromRedis = (key: string) => (buf: Buffer | null): CachedResponse | undefined => {
    const v = buf === null ? undefined : decode(buf)
    if (v === undefined) return undefined
    const ttl = v.expiresAt - Date.now()
    if (ttl <= 0) return undefined
    local.set(key, v.value, ttl, v.keepUntil - v.expiresAt)
    return v.value
  }
  const staleFromRedis = (buf: Buffer | null): CachedResponse | undefined => {
    const v = buf === null ? undefined : decode(buf)
    return v !== undefined && v.keepUntil > Date.now() ? v.value : undefined
  }
  const miss = (): undefined => undefined
  return {
    get(key) {
      const hit = local.get(key)
      if (hit !== undefined || !opts.up()) return hit
      return client.getBuffer(base + key).then(fromRedis(key), miss)
    },
    getStale(key) {
      const hit = local.getStale(key)
      if (hit !== undefined || !opts.up()) return hit
      return client.getBuffer(base + key).then(staleFromRedis, miss)
    },
    set(key, value, ttlMs, staleMs = 0) {
      local.set(key, value, ttlMs, staleMs)
      if (ttlMs <= 0 || value.body.length > opts.maxEntryBytes || !opts.up()) return
      const keep = Math.max(0, staleMs)
      const expiresAt = Date.now() + ttlMs
      client.set(base + key, encode(value, expiresAt, expiresAt + keep), 'PX', Math.ceil(ttlMs + keep)).catch(miss)
    },
    get size() {
      return local.size
    },
    get bytes() {
      return local.bytes
    },
    clear: () => local.clear(),
  }
}

function encode(v: CachedResponse, expiresAt: number, keepUntil: number): Buffer {
  const head = Buffer.from(JSON.stringify(keepUntil > expiresAt ? { c: v.contentType, h: v.headers, e: expiresAt, k: keepUntil } : { c: v.contentType, h: v.headers, e: expiresAt }))
  const len = Buffer.allocUnsafe(4)
  len.writeUInt32BE(head.length)
  return Buffer.concat([len, head, v.body])
}

/** undefined for anything that is not our layout (another writer, a truncated value): a miss, not a crash. */
function decode(buf: Buffer): { value: CachedResponse; expiresAt: number; keepUntil: number } | undefined {
  try {
    if (buf.length < 4) return undefined
    const n = buf.readUInt32BE(0)
    if (4 + n > buf.length) return undefined
    const head = JSON.parse(buf.subarray(4, 4 + n).toString('utf8')) as { c: unknown; h: unknown; e: unknown; k?: unknown }
    if (typeof head.c !== 'string' || !Array.isArray(head.h) || typeof head.e !== 'number') return undefined
    const headers = head.h.filter((p): p is [string, string] => Array.isArray(p) && typeof p[0] === 'string' && typeof p[1] === 'string')
    const keepUntil = typeof head.k === 'number' && head.k > head.e ? head.k : head.e
    return { value: { contentType: head.c, headers, body: buf.subarray(4 + n) }, expiresAt: head.e, keepUntil }
  } catch {
    return undefined
  }
}
