/** Unit tests for gateway/direct ratios and the baseline gate (SPEC §2 `bench --baseline --max-regression`). */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { baselineExitCode, compareToBaseline, computeRatios, missingFromRun, parsePercent } from './compare.js'
import { BENCH_RESULT_SCHEMA, type BenchResult, type RunFigures, type ScenarioResult } from './result.js'
import { benchResultSchema } from './result-schema.js'

function figures(reqPerSec: number, p50: number, p99: number, cpuUsPerRequest: number | null): RunFigures {
  const requests = reqPerSec * 10
  return {
    requests, reqPerSec, latencyMs: { p50, p90: p99, p99, max: p99 * 2, mean: p50 }, errors: 0, timeouts: 0, non2xx: 0,
    statusCodes: { '200': requests }, bytesPerSec: reqPerSec * 300, durationSec: 10, interrupted: false,
    process: cpuUsPerRequest === null ? null : { cpuSeconds: (cpuUsPerRequest * requests) / 1e6, rssBytes: 80e6, peakRssBytes: 90e6 }, cpuUsPerRequest,
  }
}

function scenario(name: string, gw: RunFigures, direct: RunFigures | null): ScenarioResult {
  return { name, file: `bench/scenarios/${name}.json`, stream: false, skipped: null, gateway: gw, direct, ratios: computeRatios(gw, direct), upstreamRequests: gw.requests, ttfb: null }
}

function result(scenarios: ScenarioResult[]): BenchResult {
  return {
    schema: BENCH_RESULT_SCHEMA, llmgwVersion: '0.1.0', createdAt: '2026-01-01T00:00:00.000Z',
    machine: { cpus: 2, cpuModel: 'test', node: 'v20', platform: 'linux', loadavg1m: 0 },
    mode: 'self-hosted', target: null, config: null, connections: 50, durationMs: 10_000, interrupted: false, errors: [], scenarios,
  }
}

test('ratios: req/s ratio, added latency and gateway CPU per request against direct', () => {
  const r = computeRatios(figures(8000, 3, 9, 40), figures(10_000, 2, 6, 20))
  assert.deepEqual(r, { reqPerSec: 0.8, addedP50Ms: 1, addedP99Ms: 3, cpuPerRequest: 2, gatewayCpuUsPerRequest: 40, requestsPerGatewayCpuSecond: 25_000 })
  assert.equal(computeRatios(figures(8000, 3, 9, 40), null), null)
})

test('parsePercent accepts 10%, 10 and 0.1 and rejects garbage', () => {
  assert.equal(parsePercent('10%'), 0.1)
  assert.equal(parsePercent('10'), 0.1)
  assert.equal(parsePercent('0.1'), 0.1)
  assert.equal(parsePercent('2.5%'), 0.025)
  assert.equal(parsePercent('ten'), undefined)
  assert.equal(parsePercent('150%'), undefined)
})

test('same figures as the baseline: exit 0', () => {
  const base = result([scenario('chat', figures(8000, 3, 9, 40), figures(10_000, 2, 6, 20))])
  const rows = compareToBaseline(base, base, 0.1)
  assert.equal(rows.length, 2)
  assert.equal(baselineExitCode(rows), 0)
})

test('a throughput ratio 20% below the baseline fails the 10% gate: exit 1', () => {
  const base = result([scenario('chat', figures(8000, 3, 9, 40), figures(10_000, 2, 6, 20))])
  const cur = result([scenario('chat', figures(6400, 3, 9, 40), figures(10_000, 2, 6, 20))])
  const rows = compareToBaseline(cur, base, 0.1)
  const tp = rows.find((r) => r.metric === 'throughput ratio')!
  assert.equal(tp.worse, 0.2)
  assert.equal(tp.regressed, true)
  assert.equal(baselineExitCode(rows), 1)
  assert.equal(baselineExitCode(compareToBaseline(cur, base, 0.25)), 0)
})

test('a slower machine is not a regression: only ratios to direct are compared', () => {
  const base = result([scenario('chat', figures(8000, 3, 9, 40), figures(10_000, 2, 6, 20))])
  const halfSpeed = result([scenario('chat', figures(4000, 6, 18, 80), figures(5000, 4, 12, 40))])
  assert.equal(baselineExitCode(compareToBaseline(halfSpeed, base, 0.1)), 0)
})

test('more gateway CPU per request relative to the mock fails the gate', () => {
  const base = result([scenario('chat', figures(8000, 3, 9, 40), figures(10_000, 2, 6, 20))])
  const cur = result([scenario('chat', figures(8000, 3, 9, 50), figures(10_000, 2, 6, 20))])
  const rows = compareToBaseline(cur, base, 0.1)
  assert.deepEqual(rows.filter((r) => r.regressed).map((r) => r.metric), ['cpu per request ratio'])
  assert.equal(baselineExitCode(rows), 1)
})

test('--target results (no direct run) compare absolute req/s', () => {
  const base = result([scenario('chat', figures(8000, 3, 9, null), null)])
  const cur = result([scenario('chat', figures(7000, 3, 9, null), null)])
  const rows = compareToBaseline(cur, base, 0.1)
  assert.deepEqual(rows.map((r) => [r.metric, r.regressed]), [['req/s', true]])
})

test('skipped and missing scenarios are not compared, and missing ones are named', () => {
  const base = result([scenario('chat', figures(8000, 3, 9, 40), figures(10_000, 2, 6, 20)), scenario('embeddings', figures(9000, 2, 5, 30), figures(10_000, 2, 5, 20))])
  const cur = result([{ ...scenario('chat', figures(1, 3, 9, 40), figures(10_000, 2, 6, 20)), skipped: 'needs the cache feature', gateway: null, ratios: null }])
  assert.deepEqual(compareToBaseline(cur, base, 0.1), [])
  assert.deepEqual(missingFromRun(cur, base), ['chat', 'embeddings'])
})

test('synthetic results satisfy the published bench-result schema', () => {
  const r = result([scenario('chat', figures(8000, 3, 9, 40), figures(10_000, 2, 6, 20))])
  assert.equal(benchResultSchema.safeParse(JSON.parse(JSON.stringify(r))).success, true)
  assert.equal(benchResultSchema.safeParse({ ...r, schema: 'other' }).success, false)
})
