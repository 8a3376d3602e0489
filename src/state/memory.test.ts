/** Memory store: GCRA exactness (fast-check), tpm settle/debt, gauges, UTC budget windows, bounded per-IP state. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { createMemoryStore } from './memory.js'

function manualClock(start = 1_700_000_000_000): { now: number; clock: () => number } {
  const c = { now: start, clock: () => c.now }
  return c
}

test('a burst of 3N against rpm N admits exactly N, then one per period/N', () => {
  const c = manualClock()
  const rpm = createMemoryStore({ clock: c.clock }).rate('rpm:k', 10, 60_000)
  const oks = Array.from({ length: 30 }, () => rpm.take(1)).filter((v) => (v as { ok: boolean }).ok)
  assert.equal(oks.length, 10)
  c.now += 5_999
  assert.equal((rpm.take(1) as { ok: boolean }).ok, false)
  c.now += 1
  assert.equal((rpm.take(1) as { ok: boolean }).ok, true)
})

test('a refused take reports retry-after until it fits and leaves the window unchanged', () => {
  const c = manualClock()
  const w = createMemoryStore({ clock: c.clock }).rate('rpm:k', 2, 60_000)
  w.take(2)
  const v = w.take(1) as import('./types.js').RateVerdict
  assert.equal(v.ok, false)
  assert.equal(v.remaining, 0)
  assert.equal(v.retryAfterMs, 30_000)
  assert.equal(v.resetMs, 60_000)
  c.now += 30_000
  assert.equal((w.take(1) as { ok: boolean }).ok, true)
})

test('property: over any interval of length W, admitted <= limit + W * limit / period (never a double burst at an edge)', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 50 }),
      fc.integer({ min: 100, max: 60_000 }),
      fc.array(fc.record({ dt: fc.integer({ min: 0, max: 5_000 }), n: fc.integer({ min: 1, max: 5 }) }), { maxLength: 300 }),
      (limit, periodMs, steps) => {
        const c = manualClock()
        const w = createMemoryStore({ clock: c.clock, pinnedBuckets: 1, ipBuckets: 1 }).rate('p', limit, periodMs)
        const admitted: Array<{ t: number; n: number }> = []
        for (const s of steps) {
          c.now += s.dt
          const v = w.take(s.n) as { ok: boolean; remaining: number }
          if (v.ok) admitted.push({ t: c.now, n: s.n })
          assert.ok(v.remaining >= 0 && v.remaining <= limit)
        }
        for (let a = 0; a < admitted.length; a++) {
          let sum = 0
          for (let b = a; b < admitted.length; b++) {
            sum += admitted[b]!.n
            const span = admitted[b]!.t - admitted[a]!.t
            assert.ok(sum <= limit + (span * limit) / periodMs + 1e-6, `sum ${sum} over ${span} ms with limit ${limit}/${periodMs}`)
          }
        }
      },
    ),
    { numRuns: 200 },
  )
})

test('property: the verdict matches a reference token bucket (continuous refill, capacity = limit)', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 1_000 }),
      fc.array(fc.record({ dt: fc.integer({ min: 0, max: 20_000 }), n: fc.integer({ min: 1, max: 300 }) }), { maxLength: 200 }),
      (limit, steps) => {
        const c = manualClock()
        const w = createMemoryStore({ clock: c.clock, pinnedBuckets: 1, ipBuckets: 1 }).rate('p', limit, 60_000)
        let tokens = limit
        for (const s of steps) {
          c.now += s.dt
          tokens = Math.min(limit, tokens + (s.dt * limit) / 60_000)
          const expect = tokens + 1e-6 >= s.n
          const v = w.take(s.n) as { ok: boolean }
          if (Math.abs(tokens - s.n) > 1e-3) assert.equal(v.ok, expect)
          if (v.ok) tokens -= s.n
        }
      },
    ),
    { numRuns: 200 },
  )
})

test('tpm: reserve at admission, settle the actual usage: debt delays later takes, refunds free room', () => {
  const c = manualClock()
  const tpm = createMemoryStore({ clock: c.clock }).rate('tpm:k', 1000, 60_000)
  assert.equal((tpm.take(600) as { ok: boolean }).ok, true)
  assert.equal((tpm.take(600) as { ok: boolean }).ok, false, 'reservation counts before the response ends')
  tpm.settle(-500) // used 100 of the 600 reserved
  assert.equal((tpm.take(600) as { remaining: number }).remaining, 300)
  tpm.settle(1_500) // that one used 2100: the window goes into debt
  const v = tpm.take(1) as { ok: boolean; retryAfterMs: number }
  assert.equal(v.ok, false)
  assert.ok(v.retryAfterMs > 60_000, `debt must be waited out, got ${v.retryAfterMs}`)
})

test('gauge admits up to its limit and frees on release', () => {
  const g = createMemoryStore().gauge('conc:k', 2)
  assert.deepEqual([g.acquire(), g.acquire(), g.acquire()], [true, true, false])
  g.release()
  assert.equal(g.acquire(), true)
  assert.equal(g.held(), 2)
})

test('budget windows roll over at UTC midnight and on the 1st of the month; total never does', () => {
  const c = manualClock(Date.UTC(2026, 0, 31, 23, 59, 0))
  const s = createMemoryStore({ clock: c.clock })
  const day = s.budget('b:day', 1, 'day')
  const month = s.budget('b:month', 1, 'month')
  const total = s.budget('b:total', 1, 'total')
  for (const b of [day, month, total]) assert.equal((b.reserve(0.9) as { ok: boolean }).ok, true)
  for (const b of [day, month, total]) assert.equal((b.reserve(0.2) as { ok: boolean }).ok, false)
  assert.equal((day.reserve(0.2) as { resetMs: number }).resetMs, 60_000)
  c.now = Date.UTC(2026, 1, 1, 0, 0, 1)
  assert.deepEqual([day, month, total].map((b) => (b.reserve(0.2) as { ok: boolean }).ok), [true, true, false])
})

test('budget settle adjusts the reservation; after a rollover the new window pays the actual cost', () => {
  const c = manualClock(Date.UTC(2026, 5, 1, 12))
  const day = createMemoryStore({ clock: c.clock }).budget('b', 10, 'day')
  const v = day.reserve(2) as { window: number }
  day.settle(v.window, -1.5, 0.5)
  assert.equal(day.spent(), 0.5)
  c.now += 86_400_000
  day.settle(v.window, 3, 5)
  assert.equal(day.spent(), 5)
})

test('per-IP windows stay within a fixed table however many addresses arrive', () => {
  const c = manualClock()
  const s = createMemoryStore({ clock: c.clock, ipBuckets: 4 })
  const ip = s.keyedRate('ip', 2, 60_000)
  for (let i = 0; i < 10_000; i++) ip.take(`10.0.${i >> 8}.${i & 255}`, 1)
  // A hot address keeps its window while others churn: the victims are the entries closest to idle.
  assert.equal((ip.take('192.0.2.1', 2) as { ok: boolean }).ok, true)
  assert.equal((ip.take('192.0.2.1', 1) as { ok: boolean }).ok, false)
  assert.equal((ip.take('192.0.2.2', 2) as { ok: boolean }).ok, true)
})

test('the same identity returns the same state (reloads keep their windows); another identity is separate', () => {
  const s = createMemoryStore()
  s.rate('rpm:a:1', 1, 60_000).take(1)
  assert.equal((s.rate('rpm:a:1', 1, 60_000).take(1) as { ok: boolean }).ok, false)
  assert.equal((s.rate('rpm:b:1', 1, 60_000).take(1) as { ok: boolean }).ok, true)
})

test('bad limits are compile-time errors, not hot-path surprises', () => {
  const s = createMemoryStore()
  assert.throws(() => s.rate('x', 0, 60_000), /positive/)
  assert.throws(() => s.rate('x', 1, Number.NaN), /period/)
  assert.throws(() => s.budget('x', -1, 'day'), /budget/)
})
