/** Experiments (SPEC §3 experiments): sticky weighted variants and canary rollback. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { fakeCall } from '../testing/fake-call.js'
import { createExperiment, experimentHeaderNames } from './experiment.js'

const plan = {
  name: 'canary-test',
  stickyBy: 'header:x-user-id',
  variants: [{ name: 'control', weight: 90, hasTarget: false }, { name: 'canary', weight: 10, hasTarget: true }],
}

test('the same sticky id always gets the same variant, and the split follows the weights', () => {
  assert.deepEqual(experimentHeaderNames(plan), ['x-user-id'])
  const e = createExperiment(plan)
  const counts = { control: 0, canary: 0 }
  for (let i = 0; i < 5000; i++) {
    const who = `user-${i}`
    const first = e.pick(fakeCall({ body: {}, headers: { 'x-user-id': who } })).name
    const again = e.pick(fakeCall({ body: {}, headers: { 'x-user-id': who } })).name
    assert.equal(first, again)
    counts[first as 'control' | 'canary']++
  }
  assert.ok(counts.canary > 350 && counts.canary < 650, `canary got ${counts.canary} of 5000`)
})

test('a canary over its error rate is rolled back: all traffic goes to control', async () => {
  const events: string[] = []
  const e = createExperiment(
    { ...plan, variants: [{ name: 'control', weight: 1, hasTarget: false }, { name: 'canary', weight: 1000, hasTarget: true }],
      rollback: { maxErrorRate: 0.1, minRequests: 5, windowMs: 60_000 } },
    (exp, v, why) => events.push(`${exp}/${v}: ${why}`),
  )
  let rolled = false
  for (let i = 0; i < 50 && !rolled; i++) {
    const cx = fakeCall({ body: {}, headers: { 'x-user-id': `u${i}` } })
    const v = e.pick(cx)
    cx.end({ status: v.name === 'canary' ? 502 : 200 })
    rolled = e.rolledBack !== undefined
    if (!rolled) await new Promise((r) => setTimeout(r, 30))
  }
  assert.equal(e.rolledBack, 'canary')
  assert.match(events[0]!, /canary-test\/canary: error rate/)
  for (let i = 0; i < 20; i++) assert.equal(e.pick(fakeCall({ body: {}, headers: { 'x-user-id': `z${i}` } })).name, 'control')
})
