/** Tests for observe/snapshot.ts and observe/latency-buckets.ts: windowed rates, percentiles, rows, last errors. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { bucketOf, bucketValue, quantileOf, BUCKETS } from './latency-buckets.js'
import { createSnapshot } from './snapshot.js'
import { syntheticRecord } from './synthetic-record.js'

test('latency buckets stay within 7% of the value', () => {
  for (const ms of [2, 10, 37, 250, 999, 12_345, 90_000]) {
    const v = bucketValue(bucketOf(ms))
    assert.ok(Math.abs(v - ms) / ms < 0.07, `${ms} -> ${v}`)
  }
  assert.equal(bucketOf(0), 0)
  assert.equal(bucketOf(Number.NaN), 0)
  assert.equal(bucketOf(1e9), BUCKETS - 1)
  const h = new Uint32Array(BUCKETS)
  for (let i = 1; i <= 100; i++) h[bucketOf(i * 10)]!++
  assert.ok(Math.abs(quantileOf([h], 0.5) - 500) < 40)
  assert.ok(Math.abs(quantileOf([h], 0.99) - 990) < 70)
  assert.equal(quantileOf([new Uint32Array(BUCKETS)], 0.5), 0)
})

test('rates, percentiles and error shares over the window; rows per model', () => {
  let t = 1_000_000
  const snap = createSnapshot({
    models: ['gpt-4o', 'claude'],
    listenUrl: 'http://127.0.0.1:8080',
    specFile: 'llmgw.config.yaml',
    version: 'abc123',
    now: () => t,
    providerStates: () => [{ name: 'openai', breaker: 'open', queueDepth: 3, inflight: 7 }],
  })
  t += 10_000 // ten seconds of uptime
  for (let sec = 0; sec < 5; sec++) {
    for (let i = 0; i < 20; i++) {
      snap.onStart()
      snap.onEnd(syntheticRecord({ model: 'gpt-4o', latencyMs: 100, promptTokens: 5, completionTokens: 5, costUsd: 0.01 }))
    }
    snap.onStart()
    snap.onEnd(syntheticRecord({ model: 'claude', latencyMs: 2000, status: 502, errorCode: 'upstream_error', requestId: `e${sec}` }))
    t += 1000
  }
  snap.onStart()
  const d = snap.read()
  assert.equal(d.totalRequests, 105)
  assert.equal(d.inflight, 1)
  assert.ok(d.requestsPerSec > 10 && d.requestsPerSec < 12, `rps ${d.requestsPerSec}`)
  assert.ok(Math.abs(d.p50Ms - 100) < 8, `p50 ${d.p50Ms}`)
  assert.ok(Math.abs(d.p99Ms - 2000) < 140, `p99 ${d.p99Ms}`)
  assert.equal(d.errorRate.toFixed(4), (5 / 105).toFixed(4))
  const gpt = d.models.find((m) => m.name === 'gpt-4o')!
  assert.ok(Math.abs(gpt.p99Ms - 100) < 8)
  assert.ok(gpt.tokensPerSec > 99 && gpt.tokensPerSec < 112, `tokens/s ${gpt.tokensPerSec}`)
  assert.equal(gpt.costUsd.toFixed(2), '1.00')
  assert.deepEqual(d.errors.map((e) => e.requestId), ['e4', 'e3', 'e2', 'e1', 'e0'])
  assert.equal(d.errors[0]!.code, 'upstream_error')
  assert.deepEqual(d.providers, [{ name: 'openai', breaker: 'open', queueDepth: 3, inflight: 7 }])
  assert.equal(d.listenUrl, 'http://127.0.0.1:8080')
  assert.ok(!d.models.some((m) => m.name === 'unknown'), 'no unknown row without unknown traffic')

  // Twenty seconds later the window is empty, but totals and cost remain.
  t += 20_000
  const later = snap.read()
  assert.equal(later.requestsPerSec, 0)
  assert.equal(later.p99Ms, 0)
  assert.equal(later.totalRequests, 105)
  assert.equal(later.models.find((m) => m.name === 'gpt-4o')!.costUsd.toFixed(2), '1.00')
})

test('unknown models share one row; reload state and new models appear', () => {
  let t = 5_000_000
  const snap = createSnapshot({ models: ['a'], now: () => t, lastErrors: 2 })
  t += 2000
  for (let i = 0; i < 1000; i++) snap.onEnd(syntheticRecord({ model: undefined, modelAsked: `junk-${i}`, status: 404, errorCode: 'model_not_found' }))
  const d = snap.read()
  assert.deepEqual(d.models.map((m) => m.name), ['a', 'unknown'])
  assert.equal(d.errors.length, 2, 'last errors are bounded')
  assert.equal(d.errors[0]!.model, 'junk-999')
  assert.equal(d.clientErrorRate, 1)
  snap.updateModels(['a', 'b'])
  snap.setReload('error', 'llmgw.config.yaml:3:1 unknown field')
  snap.setVersion('v2', 'other.yaml')
  const e = snap.read()
  assert.deepEqual(e.models.map((m) => m.name), ['a', 'b', 'unknown'])
  assert.equal(e.lastReload?.result, 'error')
  assert.equal(e.version, 'v2')
  assert.equal(e.specFile, 'other.yaml')
})
