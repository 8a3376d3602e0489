/** The LLMGW_TEST_SLOWDOWN test hook (bench/README.md): parsing, nothing wrapped when off, (F - 1)x CPU once calibrated. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { parseTestSlowdown, withTestSlowdown } from './test-slowdown.js'

const cpuUs = (): number => {
  const u = process.cpuUsage()
  return u.user + u.system
}

test('parseTestSlowdown: unset, empty and 1 are off; 1-100 on with a warning; anything else ignored with a warning', () => {
  assert.deepEqual(parseTestSlowdown(undefined), { factor: undefined })
  assert.deepEqual(parseTestSlowdown(''), { factor: undefined })
  assert.deepEqual(parseTestSlowdown('1'), { factor: undefined })
  assert.equal(parseTestSlowdown('2').factor, 2)
  assert.match(parseTestSlowdown('2.5').warning!, /LLMGW_TEST_SLOWDOWN=2\.5: test hook on/)
  for (const bad of ['0.5', '101', 'fast', '-2', '2x', 'Infinity']) {
    const p = parseTestSlowdown(bad)
    assert.equal(p.factor, undefined, bad)
    assert.match(p.warning!, /must be a number from 1 to 100.*ignored/, bad)
  }
})

test('off: the handler itself is returned, nothing on the request path', () => {
  const h = (): void => {}
  assert.equal(withTestSlowdown(h, undefined), h)
})

test('on: after its calibration requests, each call burns about (F - 1)x the CPU a call cost', () => {
  const WORK_US = 20
  const work = (): void => {
    const s = cpuUs()
    while (cpuUs() - s < WORK_US) { /* a request's own cost */ }
  }
  let calls = 0
  const slowed = withTestSlowdown(() => { calls++; work() }, 3)
  for (let i = 0; i < 10_000; i++) slowed()
  const n = 300
  const start = cpuUs()
  for (let i = 0; i < n; i++) slowed()
  const perCall = (cpuUs() - start) / n
  assert.equal(calls, 10_000 + n, 'every call reaches the handler')
  // own cost >= 20 µs, so 3x is >= 60 µs; a lower bound only (no upper-bound timing asserts)
  assert.ok(perCall >= 3 * WORK_US * 0.9, `${perCall.toFixed(1)} µs per call`)
})
