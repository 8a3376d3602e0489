/**
 * Provider key pools (SPEC §3 providers[].apiKeys / apiKeyFile, issue 13): one client per upstream key behind one
 * ProviderClient. A key the upstream answers 401 or 429 is benched for its retry-after and the same attempt goes to
 * the next key (not a model retry, not a fallback); when every key is benched the provider answers 503
 * upstream_unavailable with retry-after = when the first key returns. Keys are named by a fingerprint, never shown.
 */
import { createHash } from 'node:crypto'
import { GatewayError } from '../core/errors.js'
import type { Secret } from '../core/secret.js'
import type { KeyStrategy, ProviderConfig } from './config.js'
import type { AttemptResult, AttemptSink, ProviderClient, UpstreamCall } from './types.js'
import { createScrubber } from './upstream-errors.js'

/** What one key's attempts ended in (llmgw_provider_key_requests_total{result}). */
export type KeyResult = 'ok' | 'rate_limited' | 'unauthorized' | 'error'
export const KEY_RESULTS: readonly KeyResult[] = ['ok', 'rate_limited', 'unauthorized', 'error']

/** Bench without a retry-after from the upstream: a 429 passes soon, a 401 (revoked key) rarely does. */
export const DEFAULT_BENCH_MS = { 429: 30_000, 401: 300_000 } as const
/** Never bench longer than this, whatever the upstream says. */
export const MAX_BENCH_MS = 3_600_000
/** least-rate-limited forgets a 429 by half every minute. */
const SCORE_HALF_LIFE_MS = 60_000

/** One key's runtime state; kept across reloads by fingerprint (compile/ holds the map in the registry). */
export interface KeyStat {
  /** First 8 hex digits of the key's sha256: the only name a key has in metrics, logs and errors. */
  readonly fingerprint: string
  /** Date.now() until which the key is not used; 0 = available. */
  benchedUntil: number
  /** Recent 429s, halved every SCORE_HALF_LIFE_MS (least-rate-limited picks the lowest). */
  score: number
  scoreAt: number
  readonly counts: Record<KeyResult, number>
}

/** The fingerprint of a key: sha256, first 8 hex digits (enough to tell keys apart, useless to recover one). */
export function keyFingerprint(key: string): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8)
}

export function newKeyStat(fingerprint: string): KeyStat {
  return { fingerprint, benchedUntil: 0, score: 0, scoreAt: 0, counts: { ok: 0, rate_limited: 0, unauthorized: 0, error: 0 } }
}

const decayed = (s: KeyStat, now: number): number => (s.score === 0 ? 0 : s.score * 2 ** (-(now - s.scoreAt) / SCORE_HALF_LIFE_MS))

/** Bench `s` after a 401/429: for the upstream's retry-after when it sent one, else the default; never shortened. */
export function benchKey(s: KeyStat, status: 401 | 429, retryAfterMs: number | undefined, now: number): void {
  const ms = Math.min(Math.max(0, retryAfterMs ?? DEFAULT_BENCH_MS[status]), MAX_BENCH_MS)
  s.benchedUntil = Math.max(s.benchedUntil, now + ms)
  if (status === 429) {
    s.score = decayed(s, now) + 1
    s.scoreAt = now
  }
}

/**
 * Picks a key index among `stats` that is not benched at `now` and not in `skip`, or -1. round-robin takes turns;
 * least-rate-limited takes the key with the fewest recent 429s, taking turns among equals.
 */
export function createKeySelector(stats: readonly KeyStat[], strategy: KeyStrategy): (now: number, skip?: ReadonlySet<number>) => number {
  let cursor = 0
  const n = stats.length
  return (now, skip) => {
    let best = -1
    let bestScore = Infinity
    for (let i = 0; i < n; i++) {
      const j = (cursor + i) % n
      if (stats[j]!.benchedUntil > now || skip?.has(j)) continue
      if (strategy === 'round-robin') {
        best = j
        break
      }
      const score = decayed(stats[j]!, now)
      if (score < bestScore) {
        best = j
        bestScore = score
      }
    }
    if (best >= 0) cursor = (best + 1) % n
    return best
  }
}

/** What /metrics reads of a pool at scrape time. */
export interface KeyPoolView {
  readonly provider: string
  keys(): Iterable<{ readonly key: string; readonly benched: boolean; readonly counts: Readonly<Record<KeyResult, number>> }>
}

export type KeyedClient = ProviderClient & { readonly pool: KeyPoolView }

/** Keys of a key file: one per line, blank lines and `#` comments skipped, surrounding spaces trimmed. */
export function parseKeyFile(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
}

/**
 * One ProviderClient over `cfg.apiKeys`: an inner client per distinct key (its own pool, auth header and scrubber),
 * created by `create` with that key as `apiKey`. `stat(fingerprint)` hands out the state kept across reloads.
 */
export function createKeyedClient(cfg: ProviderConfig, stat: (fingerprint: string) => KeyStat, create: (cfg: ProviderConfig) => ProviderClient): KeyedClient {
  const seen = new Set<string>()
  const keys: Secret[] = []
  for (const k of cfg.apiKeys ?? []) {
    const fp = keyFingerprint(k.reveal())
    if (seen.has(fp)) continue
    seen.add(fp)
    keys.push(k)
  }
  if (keys.length === 0) throw new Error(`provider ${cfg.name}: the key pool is empty`)
  const { apiKeys: _k, apiKeyFile: _f, keyStrategy: _s, ...rest } = cfg
  const clients = keys.map((k) => create({ ...rest, apiKey: k }))
  const stats = keys.map((k) => stat(keyFingerprint(k.reveal())))
  const pick = createKeySelector(stats, cfg.keyStrategy ?? 'round-robin')
  const name = cfg.name
  // each inner client scrubs its own key from upstream messages; this catches another key of the pool echoed back
  const scrub = createScrubber(keys.map((k) => k.reveal()))
  const scrubbed = (e: unknown): unknown => {
    if (!(e instanceof GatewayError)) return e
    const m = scrub(e.message)
    return m === e.message ? e : new GatewayError(e.code, m, e.extra)
  }

  const allBenched = (now: number): GatewayError => {
    const soonest = Math.min(...stats.map((s) => s.benchedUntil))
    const seconds = Math.max(1, Math.ceil((soonest - now) / 1000))
    return new GatewayError(
      'upstream_unavailable',
      `provider ${name}: every API key of its pool (${stats.length}) is benched after 401/429 answers from the upstream; the first returns in ${seconds} s`,
      { retryClass: 'connect', headers: [['retry-after', String(seconds)]] },
    )
  }

  return {
    name,
    type: cfg.type,
    ...(clients[0]!.speaks ? { speaks: (ep) => clients[0]!.speaks!(ep) } : {}),
    async call(req: UpstreamCall, sink: AttemptSink): Promise<AttemptResult> {
      let tried: Set<number> | undefined
      for (;;) {
        const now = Date.now()
        const i = pick(now, tried)
        if (i < 0) throw allBenched(now)
        const s = stats[i]!
        try {
          const r = await clients[i]!.call(req, sink)
          s.counts.ok++
          return r
        } catch (e) {
          // 401/429 come with a status before any byte reached the sink (begin() follows a 2xx only): safe to redo
          const status = e instanceof GatewayError && e.extra.retryClass === 'status' ? e.extra.upstreamStatus : undefined
          if (status !== 401 && status !== 429) {
            s.counts.error++
            throw scrubbed(e)
          }
          s.counts[status === 429 ? 'rate_limited' : 'unauthorized']++
          benchKey(s, status, (e as GatewayError).extra.upstreamRetryAfterMs, Date.now())
          if (req.signal.aborted) throw scrubbed(e)
          ;(tried ??= new Set()).add(i)
        }
      }
    },
    pool: {
      provider: name,
      *keys() {
        const now = Date.now()
        for (const s of stats) yield { key: s.fingerprint, benched: s.benchedUntil > now, counts: s.counts }
      },
    },
    close: async () => {
      await Promise.all(clients.map((c) => c.close()))
    },
  }
}
