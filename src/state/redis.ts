/** The Redis store (SPEC §3 state.store: redis): the same windows as Lua scripts, so limits hold across replicas (SPEC §7). */
import { Redis } from 'ioredis'
import { budgetResetMs, budgetWindowOf } from './budget-window.js'
import type { BudgetMeter, BudgetPeriod, BudgetVerdict, Clock, Gauge, KeyedGauge, KeyedRateWindow, RateVerdict, RateWindow, Store } from './types.js'

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
local n = tonumber(ARGV[4]) or 1
if v > n then redis.call('SET', KEYS[1], v - n, 'PX', ARGV[3]) else redis.call('DEL', KEYS[1]) end
return 1
`
const BUDGET = `
local spent = tonumber(redis.call('GET', KEYS[1])) or 0
local usd, limit = tonumber(ARGV[1]), tonumber(ARGV[2])
if ARGV[4] == 'reserve' and (spent >= limit or spent + usd > limit) then return {'0', tostring(spent)} end
if ARGV[4] == 'restore' then spent = math.max(spent, tonumber(ARGV[5])) end
spent = math.max(0, spent + usd)
redis.call('SET', KEYS[1], string.format('%.9f', spent))
if ARGV[3] ~= '0' then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
return {'1', tostring(spent)}
`
/** A gauge slot held by a replica that died is freed after this long without use. */
const GAUGE_TTL_MS = 600_000
const DAY_MS = 86_400_000
/** Reconnect backoff: 50 ms doubling, at most this apart, for as long as the process runs (recovery is automatic). */
const MAX_RECONNECT_MS = 1000

interface Scripts {
  llmgwGcra(key: string, limit: number, periodMs: number, n: number, mode: 'take' | 'settle'): Promise<string[] | string>
  llmgwGauge(key: string, op: 'acquire' | 'release', limit: number, ttlMs: number, n?: number): Promise<number>
  llmgwBudget(key: string, usd: number, limit: number, ttlMs: number, op: 'reserve' | 'settle' | 'restore', floor?: number): Promise<[string, string]>
}

export interface RedisStoreOptions {
  url: string
  prefix?: string
  clock?: Clock
  /** state.redis.commandTimeout: a command unanswered this long fails (default 250 ms). */
  commandTimeoutMs?: number
}

/** Redis' gauges can give back several slots in one command: releases that failed during an outage, repaid on return. */
export interface RedisGauge extends Gauge {
  acquire(): Promise<boolean>
  releaseMany(n: number): Promise<void>
}
export interface RedisKeyedGauge extends KeyedGauge {
  acquire(key: string): Promise<boolean>
  releaseMany(key: string, n: number): Promise<void>
}

/** A budget that reports what the window holds after each call, and can be restored after an outage (state/failover.ts). */
export interface RedisBudgetMeter extends BudgetMeter {
  reserve(usd: number, now?: number): Promise<BudgetVerdict>
  settle(window: number, deltaUsd: number, actualUsd: number, now?: number): Promise<void>
  /** settle() that resolves to the window's spend after it. */
  settleSpent(window: number, deltaUsd: number, actualUsd: number, now?: number): Promise<number>
  /** The current window becomes max(what Redis holds, floorUsd) + addUsd; resolves to the result. */
  restore(floorUsd: number, addUsd: number, now?: number): Promise<number>
  spent(now?: number): Promise<number>
}

export interface RedisStore extends Store {
  rate(identity: string, limit: number, periodMs: number): RateWindow
  gauge(identity: string, limit: number): RedisGauge
  keyedGauge(identity: string, limit: number): RedisKeyedGauge
  budget(identity: string, limitUsd: number, period: BudgetPeriod): RedisBudgetMeter
  /** The connection answers commands now (ioredis status "ready"). */
  readonly connected: boolean
  /** ready: (re)connected and answering; close: the connection dropped (ioredis reconnects on its own); error: why. */
  on(event: 'ready' | 'close', listener: () => void): void
  on(event: 'error', listener: (err: Error) => void): void
  ping(): Promise<void>
  /** The connection, for the shared response cache (state/redis-cache.ts). */
  readonly client: Redis
  readonly prefix: string
  close(): Promise<void>
}

export function createRedisStore(opts: RedisStoreOptions): RedisStore {
  // Fail fast, never buffer (issue 13): with the offline queue off, a command while disconnected is refused at once
  // instead of waiting in an unbounded queue for a reconnect; commands in flight when the connection drops are
  // failed, not resent later (a late admission is worse than a refusal); and every command has a deadline, so a
  // Redis that hangs (paused, overloaded, a dead link without RST) costs a request commandTimeout, not seconds.
  const redis = new Redis(opts.url, {
    lazyConnect: false,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    commandTimeout: opts.commandTimeoutMs ?? 250,
    connectTimeout: Math.max(1000, (opts.commandTimeoutMs ?? 250) * 4),
    retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 10), MAX_RECONNECT_MS),
  })
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
  const spentOf = ([, spent]: [string, string]): number => Number(spent)

  return {
    kind: 'redis',
    client: redis,
    prefix,
    get connected() {
      return redis.status === 'ready'
    },
    on: (event: 'ready' | 'close' | 'error', listener: (err: Error) => void) => void redis.on(event, listener),
    ping: () => redis.ping().then(settled),
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
    gauge(identity, limit): RedisGauge {
      const key = `${prefix}gauge:${identity}`
      return {
        limit,
        acquire: () => r.llmgwGauge(key, 'acquire', limit, GAUGE_TTL_MS).then((v) => v === 1),
        release: () => r.llmgwGauge(key, 'release', limit, GAUGE_TTL_MS).then(settled),
        releaseMany: (n) => r.llmgwGauge(key, 'release', limit, GAUGE_TTL_MS, n).then(settled),
        held: () => redis.get(key).then((v) => Number(v ?? 0)),
      }
    },
    keyedGauge(identity, limit): RedisKeyedGauge {
      const base = `${prefix}gauge:${identity}:`
      return {
        limit,
        acquire: (k) => r.llmgwGauge(base + k, 'acquire', limit, GAUGE_TTL_MS).then((v) => v === 1),
        release: (k) => r.llmgwGauge(base + k, 'release', limit, GAUGE_TTL_MS).then(settled),
        releaseMany: (k, n) => r.llmgwGauge(base + k, 'release', limit, GAUGE_TTL_MS, n).then(settled),
      }
    },
    budget(identity, limitUsd, period: BudgetPeriod): RedisBudgetMeter {
      const keyOf = (w: number) => `${prefix}budget:${identity}:${period}:${w}`
      const ttlOf = (w: number, now: number) => (period === 'total' ? 0 : Math.ceil(budgetResetMs(period, w, now)) + DAY_MS)
      const settleSpent = (window: number, delta: number, actual: number, now = clock()): Promise<number> => {
        const w = budgetWindowOf(period, now)
        return r.llmgwBudget(keyOf(w), w === window ? delta : actual, limitUsd, ttlOf(w, now), 'settle').then(spentOf)
      }
      return {
        limitUsd,
        period,
        reserve: (usd, now = clock()) => {
          const w = budgetWindowOf(period, now)
          return r.llmgwBudget(keyOf(w), usd, limitUsd, ttlOf(w, now), 'reserve').then(([ok, spent]) => ({
            ok: ok === '1', limitUsd, spentUsd: Number(spent), resetMs: budgetResetMs(period, w, now), window: w,
          }))
        },
        settle: (window, delta, actual, now = clock()) => settleSpent(window, delta, actual, now).then(settled),
        settleSpent,
        restore: (floor, add, now = clock()) => {
          const w = budgetWindowOf(period, now)
          return r.llmgwBudget(keyOf(w), add, limitUsd, ttlOf(w, now), 'restore', floor).then(spentOf)
        },
        spent: (now = clock()) => redis.get(keyOf(budgetWindowOf(period, now))).then((v) => Number(v ?? 0)),
      }
    },
  }
}
