/** The Store (state/types.ts) over slot tables: the memory store and the shared --workers store are this code. */
import { budgetReserve, budgetSettle, budgetSpent } from './budget-window.js'
import { gcraIdleAt, gcraIsIdle, gcraSettle, gcraTake } from './gcra.js'
import { CELLS, hashHi, hashLo, type SlotTable } from './slot-table.js'
import type { BudgetMeter, BudgetPeriod, Clock, Gauge, KeyedGauge, KeyedRateWindow, RateVerdict, RateWindow, Store } from './types.js'

/** Builds each primitive at compile time: the identity is hashed to an entry once; the closures hold its index. */
export function createSlotStore(pinned: SlotTable, lru: SlotTable, clock: Clock, kind: 'memory' | 'shared'): Store {
  const cells = pinned.cells
  return {
    kind,
    rate(identity, limit, periodMs): RateWindow {
      checkLimit(identity, limit, periodMs)
      return new PinnedRate(pinned, pinned.pin(`rate:${identity}`), limit, periodMs, clock)
    },
    keyedRate(identity, limit, periodMs): KeyedRateWindow {
      checkLimit(identity, limit, periodMs)
      const lc = lru.cells
      const locked = keyedEntries(lru, identity)
      return {
        limit,
        periodMs,
        take: (key, n, now = clock()) => locked(key, now, (i) => gcraTake(lc, i, now, n, limit, periodMs), () => admitUntracked(limit)),
        settle: (key, delta, now = clock()) => locked(key, now, (i) => gcraSettle(lc, i, now, delta, limit, periodMs), () => undefined),
      }
    },
    keyedGauge(identity, limit): KeyedGauge {
      checkLimit(identity, limit, 1)
      const lc = lru.cells
      const locked = keyedEntries(lru, identity)
      // cells: [held, idleAt]; idleAt is 0 when nothing is held, Infinity otherwise: a held entry is never recycled.
      const set = (i: number, held: number): void => { lc[i] = held; lc[i + 1] = held > 0 ? Infinity : 0 }
      return {
        limit,
        acquire: (key, now = clock()) => locked(key, now, (i) => (lc[i]! >= limit ? false : (set(i, lc[i]! + 1), true)), () => true),
        release: (key, now = clock()) => locked(key, now, (i) => { if (lc[i]! > 0) set(i, lc[i]! - 1) }, () => undefined),
      }
    },
    gauge(identity, limit): Gauge {
      checkLimit(identity, limit, 1)
      const e = pinned.pin(`gauge:${identity}`)
      const b = pinned.bucketOfEntry(e)
      const i = e * CELLS
      return {
        limit,
        acquire() {
          pinned.lock(b)
          try {
            if (cells[i]! >= limit) return false
            cells[i] = cells[i]! + 1
            return true
          } finally { pinned.unlock(b) }
        },
        release() {
          pinned.lock(b)
          try { if (cells[i]! > 0) cells[i] = cells[i]! - 1 } finally { pinned.unlock(b) }
        },
        held: () => cells[i]!,
      }
    },
    budget(identity, limitUsd, period): BudgetMeter {
      if (!(limitUsd >= 0) || !Number.isFinite(limitUsd)) throw new Error(`${identity}: budget must be a finite number >= 0`)
      const e = pinned.pin(`budget:${identity}:${period satisfies BudgetPeriod}`)
      const b = pinned.bucketOfEntry(e)
      const i = e * CELLS
      return {
        limitUsd,
        period,
        reserve(usd, now = clock()) {
          pinned.lock(b)
          try { return budgetReserve(cells, i, now, usd, limitUsd, period) } finally { pinned.unlock(b) }
        },
        settle(window, delta, actual, now = clock()) {
          pinned.lock(b)
          try { budgetSettle(cells, i, now, window, delta, actual, period) } finally { pinned.unlock(b) }
        },
        spent() {
          pinned.lock(b)
          try { return budgetSpent(cells, i, clock(), period) } finally { pinned.unlock(b) }
        },
      }
    },
  }
}

/**
 * A class, not a closure per key: with 1,000 keys the hot call sites see one shape and one prototype method
 * instead of 1,000 closures, which keeps them monomorphic (bench/limits/README.md).
 */
class PinnedRate implements RateWindow {
  readonly #table: SlotTable
  readonly #bucket: number
  readonly #i: number
  readonly #clock: Clock
  constructor(table: SlotTable, entry: number, readonly limit: number, readonly periodMs: number, clock: Clock) {
    this.#table = table
    this.#bucket = table.bucketOfEntry(entry)
    this.#i = entry * CELLS
    this.#clock = clock
  }

  take(n: number, now = this.#clock()): RateVerdict {
    this.#table.lock(this.#bucket)
    try { return gcraTake(this.#table.cells, this.#i, now, n, this.limit, this.periodMs) } finally { this.#table.unlock(this.#bucket) }
  }

  settle(delta: number, now = this.#clock()): void {
    this.#table.lock(this.#bucket)
    try { gcraSettle(this.#table.cells, this.#i, now, delta, this.limit, this.periodMs) } finally { this.#table.unlock(this.#bucket) }
  }
}

/**
 * Per-client entries of one scope in the recycling table: hash the client key (seeded by the scope), lock its home
 * bucket, find or recycle its entry and run `op` on it while still holding the lock. `none` answers when a bucket
 * has no entry to give (every entry held): fail open rather than refuse a client for someone else's load.
 */
function keyedEntries(lru: SlotTable, identity: string) {
  const seedHi = hashHi(identity)
  const seedLo = hashLo(identity)
  const lc = lru.cells
  let at = 0
  const isIdle = (i: number): boolean => gcraIsIdle(lc, i, at)
  const closeness = (i: number): number => gcraIdleAt(lc, i)
  return function locked<T>(key: string, now: number, op: (i: number) => T, none: () => T): T {
    const hi = Math.imul(hashHi(key) ^ seedHi, 0x9e3779b1)
    const lo = hashLo(key) ^ seedLo
    const b = lru.homeBucket(hi)
    lru.lock(b)
    try {
      at = now
      const e = lru.findOrRecycle(hi, lo, isIdle, closeness)
      return e < 0 ? none() : op(e * CELLS)
    } finally {
      lru.unlock(b)
    }
  }
}

function checkLimit(identity: string, limit: number, periodMs: number): void {
  if (!(limit > 0) || !Number.isFinite(limit)) throw new Error(`${identity}: limit must be a positive number, got ${limit}`)
  if (!(periodMs > 0) || !Number.isFinite(periodMs)) throw new Error(`${identity}: period must be positive, got ${periodMs}`)
}

/** See keyedEntries: a client that cannot be tracked is admitted. */
function admitUntracked(limit: number): RateVerdict {
  return { ok: true, limit, remaining: limit, resetMs: 0, retryAfterMs: 0 }
}
