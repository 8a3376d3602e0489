/** Budgets through a Redis outage (state/failover.ts): a shadow of the spend in this process, restored into Redis on its return. */
import type { MaybePromise } from '../core/types.js'
import { budgetResetMs, budgetWindowOf } from './budget-window.js'
import type { RedisBudgetMeter } from './redis.js'
import type { BudgetMeter, BudgetPeriod, BudgetVerdict, Clock } from './types.js'

/** What the failover store lends a budget: its guarded call and its settle-or-owe. */
export interface FailoverPolicy {
  guarded<T>(remoteOp: () => Promise<T>, localOp: () => MaybePromise<T>): MaybePromise<T>
  afterwards(remoteOp: () => MaybePromise<void>, owe: () => void): MaybePromise<void>
  up(): boolean
}

/** The last spend Redis reported (`known`, in `knownWindow`) and what was spent while Redis was away (`pending`). */
export interface BudgetShadow {
  known: number
  knownWindow: number
  pending: number
  pendingWindow: number
}

const pendingIn = (s: BudgetShadow, w: number): number => {
  if (s.pendingWindow !== w) { s.pending = 0; s.pendingWindow = w }
  return s.pending
}
const shadowSpent = (s: BudgetShadow, w: number): number => (s.knownWindow === w ? s.known : 0) + pendingIn(s, w)

/** On the return: Redis' window becomes max(its value, known) + pending (a window lost in a restart is raised back). */
export function restoreBudget(r: RedisBudgetMeter, s: BudgetShadow, period: BudgetPeriod, clock: Clock): Promise<void> {
  const now = clock()
  const w = budgetWindowOf(period, now)
  const floor = s.knownWindow === w ? s.known : 0
  const add = pendingIn(s, w)
  if (floor === 0 && add === 0) return Promise.resolve()
  return r.restore(floor, add, now).then((spent) => {
    s.pending -= add
    s.known = spent
    s.knownWindow = w
  })
}

/**
 * A budget with a shadow in this process. Open mode admits against known + pending, so an outage does not hand every
 * key a fresh budget; closed mode refuses, but still keeps what finished requests spent.
 */
export function failoverBudget(r: RedisBudgetMeter, s: BudgetShadow, p: FailoverPolicy, clock: Clock): BudgetMeter {
  const { limitUsd, period } = r
  const seen = (w: number) => (spent: number): void => { s.known = spent; s.knownWindow = w }
  const localReserve = (usd: number, now: number): BudgetVerdict => {
    const w = budgetWindowOf(period, now)
    const spent = shadowSpent(s, w)
    const resetMs = budgetResetMs(period, w, now)
    if (spent >= limitUsd || spent + usd > limitUsd) return { ok: false, limitUsd, spentUsd: spent, resetMs, window: w }
    s.pending += usd
    return { ok: true, limitUsd, spentUsd: spent + usd, resetMs, window: w }
  }
  return {
    limitUsd,
    period,
    reserve: (usd, now = clock()) =>
      p.guarded(() => r.reserve(usd, now).then((v) => {
        seen(v.window)(v.spentUsd) // a refusal reports the window's spend too
        return v
      }), () => localReserve(usd, now)),
    // Money already spent upstream is never dropped: in both modes a settle that cannot reach Redis waits in `pending`.
    settle: (window, delta, actual, now = clock()) => {
      const w = budgetWindowOf(period, now)
      return p.afterwards(() => r.settleSpent(window, delta, actual, now).then(seen(w)), () => {
        pendingIn(s, w)
        s.pending += w === window ? delta : actual
      })
    },
    spent: (now = clock()) => (p.up() ? r.spent(now) : shadowSpent(s, budgetWindowOf(period, now))),
  }
}
