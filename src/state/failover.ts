/** state.onUnavailable (SPEC §3 state, issue 13): the Redis store with a policy for when Redis does not answer. */
import { GatewayError } from '../core/errors.js'
import type { MaybePromise } from '../core/types.js'
import type { RedisStore } from './redis.js'
import { type BudgetShadow, failoverBudget, restoreBudget } from './failover-budget.js'
import type { BudgetMeter, Clock, Gauge, KeyedGauge, KeyedRateWindow, RateVerdict, RateWindow, Store } from './types.js'

export type UnavailablePolicy = 'closed' | 'open'

export interface FailoverEvents {
  /** The store went down (first failure of an outage, with why) or is up again (after its debts were repaid). */
  onChange?(up: boolean, why: string): void
  /** An operation was answered without Redis: refused (closed) or counted in this process (open). */
  onUnavailable?(action: 'rejected' | 'local'): void
}

export interface FailoverStore extends Store {
  /** Redis answers (readiness and llmgw_state_store_up read this). */
  readonly up: boolean
  close(): Promise<void>
}

/** While down, how often a connection that is open but stopped answering (a timeout, not a close) is pinged. */
const PROBE_MS = 250

/*
 * How an outage is seen: the connection closing (redis-server killed, restarted, network reset) marks the store
 * down at once, before any request waits; a command failing or timing out (state.redis.commandTimeout) marks it
 * down for everyone after it. While down no command is sent: closed refuses each admission at once with
 * 503 upstream_unavailable, open answers from `local` (a memory store of this process: per-process limits). Up
 * again when ioredis reconnects (or a ping answers), after the debts of the outage are repaid:
 *  - budgets: spend settled while down is added to Redis, and a window Redis lost (a restart without persistence)
 *    is raised back to the last spend this replica saw, so a budget never resets because a connection dropped;
 *  - concurrency gauges: slots taken in Redis whose release failed are released, so no slot leaks.
 * Rate windows (rpm, tpm) are not replayed: they refill within their period anyway.
 */
export function createFailoverStore(remote: RedisStore, local: Store, policy: UnavailablePolicy, events: FailoverEvents = {}, clock: Clock = Date.now): FailoverStore {
  let up = remote.connected
  let recovering = false
  let probe: NodeJS.Timeout | undefined
  let closed = false
  /** Per identity, kept across reloads like the entries themselves: each one's repayment, run on the return. */
  const debts = new Map<string, () => Promise<void>>()
  const kept = new Map<string, unknown>()
  const keep = <T>(id: string, make: () => T): T => {
    if (!kept.has(id)) kept.set(id, make())
    return kept.get(id) as T
  }
  const unavailable = new GatewayError('upstream_unavailable', `the limit store (redis) is unavailable and state.onUnavailable is closed; retry shortly`, {
    headers: [['retry-after', '1']],
  })

  const markDown = (why: string): void => {
    if (!up || closed) return
    up = false
    events.onChange?.(false, why)
    probe ??= setInterval(() => {
      if (remote.connected) remote.ping().then(recover, () => undefined)
    }, PROBE_MS).unref()
  }
  const recover = (): void => {
    if (up || recovering || closed) return
    recovering = true
    Promise.all([...debts.values()].map((repay) => repay()))
      .then(() => {
        if (closed || !remote.connected) return // dropped again while repaying: the next 'ready' tries again
        up = true
        clearInterval(probe)
        probe = undefined
        events.onChange?.(true, 'redis answers again')
      }, () => undefined) // still failing: the next 'ready' or probe tries again
      .finally(() => (recovering = false))
  }
  remote.on('ready', recover)
  remote.on('close', () => markDown('the redis connection closed'))
  const failed = (e: unknown): void => markDown(e instanceof Error ? e.message : String(e))

  /** What an operation answers without Redis. */
  function fallback<T>(localOp: () => MaybePromise<T>): MaybePromise<T> {
    if (policy === 'closed') {
      events.onUnavailable?.('rejected')
      return Promise.reject(unavailable)
    }
    events.onUnavailable?.('local')
    return localOp()
  }
  /**
   * Redis while up (a failure marks the store down and falls back for this call too), else the fallback.
   * HOT PATH (redis): one flag read before the command; while down, no command, no timer, no wait.
   */
  function guarded<T>(remoteOp: () => Promise<T>, localOp: () => MaybePromise<T>): MaybePromise<T> {
    if (!up) return fallback(localOp)
    return remoteOp().then(undefined, (e: unknown) => {
      failed(e)
      return fallback(localOp)
    })
  }
  /** A settle or release: to Redis while up; when that fails, `owe` records it for the return. */
  const afterwards = (remoteOp: () => MaybePromise<void>, owe: () => void): MaybePromise<void> => {
    if (!up) return owe()
    const r = remoteOp()
    return r === undefined ? r : r.then(undefined, (e: unknown) => { failed(e); owe() })
  }
  const noop = (): void => undefined

  return {
    kind: 'redis',
    get up() {
      return up
    },
    close() {
      closed = true
      clearInterval(probe)
      return remote.close()
    },
    rate(identity, limit, periodMs): RateWindow {
      const r = remote.rate(identity, limit, periodMs)
      const l = policy === 'open' ? local.rate(identity, limit, periodMs) : undefined
      return {
        limit,
        periodMs,
        take: (n, now = clock()) => guarded(() => r.take(n) as Promise<RateVerdict>, () => l!.take(n, now)),
        settle: (delta, now = clock()) => afterwards(() => r.settle(delta), l ? () => l.settle(delta, now) : noop),
      }
    },
    keyedRate(identity, limit, periodMs): KeyedRateWindow {
      const r = remote.keyedRate(identity, limit, periodMs)
      const l = policy === 'open' ? local.keyedRate(identity, limit, periodMs) : undefined
      return {
        limit,
        periodMs,
        take: (k, n, now = clock()) => guarded(() => r.take(k, n) as Promise<RateVerdict>, () => l!.take(k, n, now)),
        settle: (k, delta, now = clock()) => afterwards(() => r.settle(k, delta), l ? () => l.settle(k, delta, now) : noop),
      }
    },
    gauge(identity, limit): Gauge {
      const r = remote.gauge(identity, limit)
      const l = policy === 'open' ? local.gauge(identity, limit) : undefined
      // Slots held here during an outage, releases owed to Redis.
      const debt = keep(`gauge:${identity}`, () => gaugeDebt(debts, `gauge:${identity}`, (n) => r.releaseMany(n)))
      return {
        limit,
        acquire: () => guarded(() => r.acquire(), () => {
          const ok = l!.acquire() as boolean
          if (ok) debt.local++
          return ok
        }),
        release: () => {
          if (debt.local > 0) {
            debt.local--
            return l!.release()
          }
          return afterwards(() => r.release(), () => void debt.owed++)
        },
        held: () => (up ? r.held() : (l?.held() ?? 0)),
      }
    },
    keyedGauge(identity, limit): KeyedGauge {
      const r = remote.keyedGauge(identity, limit)
      const l = policy === 'open' ? local.keyedGauge(identity, limit) : undefined
      // Per client key: only keys with a slot held locally or a release owed have an entry (bounded by requests in flight).
      const held = keep(`keyed-gauge:${identity}`, () => new Map<string, { local: number; owed: number }>())
      const entry = (k: string) => held.get(k) ?? (held.set(k, { local: 0, owed: 0 }), held.get(k)!)
      const tidy = (k: string, e: { local: number; owed: number }) => { if (e.local === 0 && e.owed === 0) held.delete(k) }
      if (!debts.has(`keyed-gauge:${identity}`)) debts.set(`keyed-gauge:${identity}`, () =>
        Promise.all([...held].filter(([, e]) => e.owed > 0).map(([k, e]) => {
          const n = e.owed
          return r.releaseMany(k, n).then(() => { e.owed -= n; tidy(k, e) })
        })).then(noop))
      return {
        limit,
        acquire: (k, now = clock()) => guarded(() => r.acquire(k), () => {
          const ok = l!.acquire(k, now) as boolean
          if (ok) entry(k).local++
          return ok
        }),
        release: (k, now = clock()) => {
          const e = held.get(k)
          if (e !== undefined && e.local > 0) {
            e.local--
            tidy(k, e)
            return l!.release(k, now)
          }
          return afterwards(() => r.release(k), () => void entry(k).owed++)
        },
      }
    },
    budget(identity, limitUsd, period): BudgetMeter {
      const id = `budget:${identity}:${period}`
      const shadow = keep(id, () => {
        const sh: BudgetShadow = { known: 0, knownWindow: -1, pending: 0, pendingWindow: -1 }
        debts.set(id, () => restoreBudget(remote.budget(identity, limitUsd, period), sh, period, clock))
        return sh
      })
      return failoverBudget(remote.budget(identity, limitUsd, period), shadow, { guarded, afterwards, up: () => up }, clock)
    },
  }
}

function gaugeDebt(debts: Map<string, () => Promise<void>>, id: string, releaseMany: (n: number) => Promise<void>): { local: number; owed: number } {
  const debt = { local: 0, owed: 0 }
  debts.set(id, () => {
    const n = debt.owed
    return n === 0 ? Promise.resolve() : releaseMany(n).then(() => void (debt.owed -= n))
  })
  return debt
}
