/** Budget accumulation per UTC calendar window (SPEC §3 keys[].budget: day | month | total) over two Float64 cells. */
import type { BudgetPeriod, BudgetVerdict } from './types.js'

const DAY_MS = 86_400_000

/** The window number `now` falls in: UTC day index, UTC month index (year * 12 + month), or 0 for 'total'. */
export function budgetWindowOf(period: BudgetPeriod, now: number): number {
  if (period === 'day') return Math.floor(now / DAY_MS)
  if (period === 'month') {
    const d = new Date(now)
    return d.getUTCFullYear() * 12 + d.getUTCMonth()
  }
  return 0
}

/** ms from `now` until the window rolls over at a UTC calendar boundary; Infinity for 'total'. */
export function budgetResetMs(period: BudgetPeriod, window: number, now: number): number {
  if (period === 'day') return (window + 1) * DAY_MS - now
  if (period === 'month') return Date.UTC(Math.floor(window / 12), (window % 12) + 1, 1) - now
  return Infinity
}

/*
 * Cells: [spent, window]. A cell whose stored window differs from the current one starts again from zero. The
 * stored window is kept as window + 1 so an all-zero (fresh) cell never matches window 0 ('total') by accident.
 */
function roll(cells: Float64Array, i: number, window: number): void {
  if (cells[i + 1] !== window + 1) {
    cells[i] = 0
    cells[i + 1] = window + 1
  }
}

/** Reserve usd: refused when the window is already spent or spent + usd would exceed the limit. */
export function budgetReserve(
  cells: Float64Array, i: number, now: number, usd: number, limitUsd: number, period: BudgetPeriod,
): BudgetVerdict {
  const window = budgetWindowOf(period, now)
  roll(cells, i, window)
  const spent = cells[i]!
  const resetMs = budgetResetMs(period, window, now)
  if (spent >= limitUsd || spent + usd > limitUsd) return { ok: false, limitUsd, spentUsd: spent, resetMs, window }
  cells[i] = spent + usd
  return { ok: true, limitUsd, spentUsd: spent + usd, resetMs, window }
}

/** Settle a reservation: same window -> adjust by delta; rolled over -> the new window pays the actual cost. */
export function budgetSettle(
  cells: Float64Array, i: number, now: number, window: number, deltaUsd: number, actualUsd: number, period: BudgetPeriod,
): void {
  const current = budgetWindowOf(period, now)
  roll(cells, i, current)
  const next = cells[i]! + (current === window ? deltaUsd : actualUsd)
  cells[i] = next > 0 ? next : 0
}

export function budgetSpent(cells: Float64Array, i: number, now: number, period: BudgetPeriod): number {
  return cells[i + 1] === budgetWindowOf(period, now) + 1 ? cells[i]! : 0
}
