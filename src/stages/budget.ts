/** Per-key spend budgets (SPEC §3 keys[].budget, §7): reserve the estimated cost at admission, settle the real cost. */
import { then } from '../core/sync.js'
import type { KeyConfig } from './access-config.js'
import { quiet, refusal, type AdmissionStep } from './admission.js'
import type { LimitDeps } from './key-limit.js'

export function compileBudget(key: KeyConfig, deps: LimitDeps): AdmissionStep | null {
  const budget = key.budget
  if (!budget) return null
  const meter = deps.store.budget(`key:${key.id}:usd:${budget.usd}`, budget.usd, budget.per)
  const onRejected = deps.onRejected
  const message = `key ${key.id}: ${budget.per === 'total' ? 'total' : `per-${budget.per}`} budget of $${budget.usd} exhausted`
  return (cx, a) => {
    const reserved = cx.reservedCostUsd()
    return then(meter.reserve(reserved, a.now), (v) => {
      if (!v.ok) {
        onRejected?.('budget')
        return refusal('budget_exceeded', message, v.resetMs)
      }
      a.holds.push({
        undo: (now) => quiet(meter.settle(v.window, -reserved, 0, now)),
        end: (e, now) => {
          // Same rule as tokens: without usage a failure cost nothing and a success keeps its reservation.
          const actual = e.usage || e.status >= 400 ? e.costUsd : reserved
          if (actual !== reserved) quiet(meter.settle(v.window, actual - reserved, actual, now))
        },
      })
      return undefined
    })
  }
}
