/** The Redis store (SPEC §3 state.store: redis): the same windows as Lua scripts, so limits hold across replicas (SPEC §7). */
import { Redis } from 'ioredis'
import { budgetResetMs, budgetWindowOf } from './budget-window.js'
import type { BudgetMeter, BudgetPeriod, Clock, Gauge, KeyedGauge, KeyedRateWindow, RateVerdict, RateWindow, Store } from './types.js'

/*
 * Each operation is one EVALSHA (ioredis defineCommand), atomic on the server. Rate windows are GCRA like the
 * memory store, counted in units since a fixed origin, with Redis' own TIME as the clock so replicas with skewed
 * clocks share one timeline; keys expire when their window is full again, so per-IP keys clean themselves up.
 * Budgets key the window into the name (day/month from the gateway's clock, UTC) and expire after it.
 * Lua numbers returned to Redis are truncated to integers, so the scripts return strings.
 */
const GCRA = `
local limit, period, n = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local perMs = limit / period
local nowU = (now - 1577836800000) * perMs
local tat = tonumber(redis.call('GET', KEYS[1])) or 0
local base = math.max(tat, nowU)
if ARGV[4] == 'settle' then
  local nextU
  if n > 0 then nextU = base + n elseif tat > nowU then nextU = math.max(tat + n, nowU) else return '' end
  local ms = math.ceil((nextU - nowU) / perMs)
  if ms < 1 then redis.call('DEL', KEYS[1]) else redis.call('SET', KEYS[1], string.format('%.6f', nextU), 'PX', ms) end
  return ''
end
local ahead = base + n - nowU
if ahead <= limit + 1e-6 then
  redis.call('SET', KEYS[1], string.format('%.6f', base + n), 'PX', math.max(1, math.ceil(ahead / perMs)))
  return {'1', tostring(math.floor(limit - ahead + 1e-6)), tostring(ahead / perMs), '0'}
end
local used = base - nowU
return {'0', tostring(math.max(0, math.floor(limit - used + 1e-6))), tostring(used / perMs), tostring((ahead - limit) / perMs)}
`
const GAUGE = `
local v = tonumber(redis.call('GET', KEYS[1])) or 0
if ARGV[1] == 'acquire' then
  if v >= tonumber(ARGV[2]) then return 0 end
  redis.call('SET', KEYS[1], v + 1, 'PX', ARGV[3])
  return 1
end
if v > 1 then redis.call('SET', KEYS[1], v - 1, 'PX', ARGV[3]) else redis.call('DEL', KEYS[1]) end
return 1
`
const BUDGET = `
local spent = tonumber(redis.call('GET', KEYS[1])) or 0
local usd, limit = tonumber(ARGV[1]), tonumber(ARGV[2])
if ARGV[4] == 'reserve' and (spent >= limit or spent + usd > limit) then return {'0', tostring(spent)} end
spent = math.max(0, spent + usd)
redis.call('SET', KEYS[1], string.format('%.9f', spent))
if ARGV[3] ~= '0' then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
return {'1', tostring(spent)}
`
/** A gauge slot held by a replica that died is freed after this long without use. */
const GAUGE_TTL_MS = 600_000
const DAY_MS = 86_400_000

interface Scripts {
  llmgwGcra(key: string, limit: number, periodMs: number, n: number, mode: 'take' | 'settle'): Promise<string[] | string>
  llmgwGauge(key: string, op: 'acquire' | 'release', limit: number, ttlMs: number): Promise<number>
  llmgwBudget(key: string, usd: number, limit: number, ttlMs: number, op: 'reserve' | 'settle'): Promise<[string, string]>
}

export interface RedisStoreOptions {
  url: string
  prefix?: string
  clock?: Clock
}

export interface RedisStore extends Store {
  close(): Promise<void>
}

export function createRedisStore(opts: RedisStoreOptions): RedisStore {
  const redis = new Redis(opts.url, { lazyConnect: false, maxRetriesPerRequest: 1, enableOfflineQueue: true })
  redis.on('error', () => {}) // reported by the failing command; an unhandled 'error' event would kill the process
  redis.defineCommand('llmgwGcra', { numberOfKeys: 1, lua: GCRA })
  redis.defineCommand('llmgwGauge', { numberOfKeys: 1, lua: GAUGE })
  redis.defineCommand('llmgwBudget', { numberOfKeys: 1, lua: BUDGET })
  const r = redis as unknown as Scripts
  const prefix = opts.prefix ?? 'llmgw:'
  const clock = opts.clock ?? Date.now
  const verdict = (limit: number, out: string[] | string): RateVerdict => {
    const [ok, remaining, resetMs, retryAfterMs] = out as string[]
    return { ok: ok === '1', limit, remaining: Number(remaining), resetMs: Number(resetMs), retryAfterMs: Number(retryAfterMs) }
  }
  const settled = (): void => undefined

  return {
    kind: 'redis',
    close: async () => { await redis.quit().catch(() => redis.disconnect()) },
    rate(identity, limit, periodMs): RateWindow {
      const key = `${prefix}rate:${identity}`
      return {
        limit,
        periodMs,
        take: (n) => r.llmgwGcra(key, limit, periodMs, n, 'take').then((o) => verdict(limit, o)),
        settle: (delta) => (delta === 0 ? undefined : r.llmgwGcra(key, limit, periodMs, delta, 'settle').then(settled)),
      }
    },
    keyedRate(identity, limit, periodMs): KeyedRateWindow {
      const base = `${prefix}rate:${identity}:`
      return {
        limit,
        periodMs,
        take: (k, n) => r.llmgwGcra(base + k, limit, periodMs, n, 'take').then((o) => verdict(limit, o)),
        settle: (k, delta) => (delta === 0 ? undefined : r.llmgwGcra(base + k, limit, periodMs, delta, 'settle').then(settled)),
      }
    },
    gauge(identity, limit): Gauge {
      const key = `${prefix}gauge:${identity}`
      return {
        limit,
        acquire: () => r.llmgwGauge(key, 'acquire', limit, GAUGE_TTL_MS).then((v) => v === 1),
        release: () => r.llmgwGauge(key, 'release', limit, GAUGE_TTL_MS).then(settled),
        held: () => redis.get(key).then((v) => Number(v ?? 0)),
      }
    },
    keyedGauge(identity, limit): KeyedGauge {
      const base = `${prefix}gauge:${identity}:`
      return {
        limit,
        acquire: (k) => r.llmgwGauge(base + k, 'acquire', limit, GAUGE_TTL_MS).then((v) => v === 1),
        release: (k) => r.llmgwGauge(base + k, 'release', limit, GAUGE_TTL_MS).then(settled),
      }
    },
    budget(identity, limitUsd, period: BudgetPeriod): BudgetMeter {
      const keyOf = (w: number) => `${prefix}budget:${identity}:${period}:${w}`
      const ttlOf = (w: number, now: number) => (period === 'total' ? 0 : Math.ceil(budgetResetMs(period, w, now)) + DAY_MS)
      return {
        limitUsd,
        period,
        reserve: (usd, now = clock()) => {
          const w = budgetWindowOf(period, now)
          return r.llmgwBudget(keyOf(w), usd, limitUsd, ttlOf(w, now), 'reserve').then(([ok, spent]) => ({
            ok: ok === '1', limitUsd, spentUsd: Number(spent), resetMs: budgetResetMs(period, w, now), window: w,
          }))
        },
        settle: (window, delta, actual, now = clock()) => {
          const w = budgetWindowOf(period, now)
          return r.llmgwBudget(keyOf(w), w === window ? delta : actual, limitUsd, ttlOf(w, now), 'settle').then(settled)
        },
        spent: (now = clock()) => redis.get(keyOf(budgetWindowOf(period, now))).then((v) => Number(v ?? 0)),
      }
    },
  }
}
