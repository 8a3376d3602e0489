/** Unit tests for gateway/direct ratios and the baseline gate (SPEC §2 `bench --baseline --max-regression`). */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { baselineExitCode, combinedNoise, compareToBaseline, computeRatios, judge, medianRatios, missingFromRun, NOISE_Z, parsePercent, roundFigures, roundsNoise, spread } from './compare.js'
import { BENCH_RESULT_SCHEMA, median, mergeRuns, type BenchResult, type RunFigures, type ScenarioResult } from './result.js'
import { formatRegressions } from './report.js'
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

/** A scenario measured in interleaved rounds, built as session.ts builds it: [gateway req/s, gateway CPU µs, direct req/s, direct CPU µs] per round. */
function rounded(name: string, rs: Array<[number, number, number, number]>): ScenarioResult {
  const gw = rs.map(([g, gc]) => figures(g, 3, 9, gc))
  const direct = rs.map(([, , d, dc]) => figures(d, 2, 6, dc))
  const rounds = rs.map((_, i) => roundFigures(gw[i]!, direct[i]!))
  return {
    name, file: `bench/scenarios/${name}.json`, stream: false, skipped: null, gateway: mergeRuns(gw), direct: mergeRuns(direct),
    ratios: medianRatios(gw.map((g, i) => computeRatios(g, direct[i]!))), upstreamRequests: null, ttfb: null, rounds, noise: roundsNoise(rounds),
  }
}

test('spread: 1.4826 x MAD / median of the rounds, small-sample corrected; null for fewer than 2 values or a zero median', () => {
  assert.equal(spread([5, 5, 5, 5, 5]), 0)
  // median 3, absolute deviations 2 1 0 1 2 -> MAD 1; 1.206 for 5 values
  assert.equal(spread([1, 2, 3, 4, 5]), Math.round((1.206 * 1.4826 / 3) * 1e4) / 1e4)
  // 3 values: median 2, deviations 1 0 1 -> MAD 1; a MAD of 3 values is a third low on average
  assert.equal(spread([1, 2, 3]), Math.round((1.495 * 1.4826 / 2) * 1e4) / 1e4)
  // one wild round out of five barely moves it (a standard deviation would triple)
  assert.equal(spread([1, 2, 3, 4, 500]), spread([1, 2, 3, 4, 5]))
  assert.equal(spread([7]), null)
  assert.equal(spread([]), null)
  assert.equal(spread([0, 0, 0]), null)
})

test('combinedNoise: NOISE_Z standard errors of the difference of two medians; more rounds, less noise', () => {
  assert.equal(NOISE_Z, 4)
  const se = (s: number, n: number): number => (1.2533 * s) / Math.sqrt(n)
  const expected = (x: number): number => Math.round(x * 1e4) / 1e4
  assert.equal(combinedNoise({ spread: 0.2, rounds: 5 }, { spread: 0.1, rounds: 5 }), expected(4 * Math.hypot(se(0.2, 5), se(0.1, 5))))
  assert.ok(combinedNoise({ spread: 0.2, rounds: 20 }, { spread: 0.2, rounds: 20 })! < combinedNoise({ spread: 0.2, rounds: 5 }, { spread: 0.2, rounds: 5 })!)
  // a side without rounds (old baseline, --rounds 1) is taken as noisy as the other
  assert.equal(combinedNoise({ spread: 0.2, rounds: 5 }, null), combinedNoise({ spread: 0.2, rounds: 5 }, { spread: 0.2, rounds: 5 }))
  assert.equal(combinedNoise(null, { spread: 0.2, rounds: 5 }), combinedNoise({ spread: 0.2, rounds: 5 }, { spread: 0.2, rounds: 5 }))
  assert.equal(combinedNoise(null, null), null)
})

test('judge: regressed only beyond both --max-regression and the noise; beyond the limit within the noise is inconclusive', () => {
  assert.equal(judge(0.05, 0.1, 0.01), 'ok', 'within the limit, however quiet the rounds')
  assert.equal(judge(0.1, 0.1, 0), 'ok', 'at the limit is not beyond it')
  assert.equal(judge(-0.5, 0.1, 0.2), 'ok', 'better')
  assert.equal(judge(0.3, 0.1, 0.2), 'regressed')
  assert.equal(judge(0.3, 0.1, 0.4), 'inconclusive')
  assert.equal(judge(0.3, 0.1, 0.3), 'inconclusive', 'at the noise is not beyond it')
  assert.equal(judge(0.3, 0.1, null), 'regressed', 'noise unknown (1 round each): the limit alone decides, as before rounds')
  assert.equal(judge(0.05, 0.1, null), 'ok')
})

test('median ratios: each field the median of the rounds, so one bad round does not move the gate', () => {
  const s = rounded('chat', [[8000, 40, 10_000, 20], [2000, 200, 10_000, 20], [8200, 41, 10_000, 20]])
  assert.equal(s.ratios!.reqPerSec, 0.8)
  assert.equal(s.ratios!.cpuPerRequest, 2.05)
  assert.equal(s.ratios!.gatewayCpuUsPerRequest, 41)
  assert.deepEqual(s.rounds!.map((r) => r.reqPerSec), [0.8, 0.2, 0.82])
  assert.equal(median([3, 1, 2, 10]), 2.5)
  // the figures sum the rounds
  assert.equal(s.gateway!.requests, 182_000)
  assert.equal(s.gateway!.durationSec, 30)
  assert.equal(s.gateway!.reqPerSec, 6066.7)
  assert.equal(medianRatios([null, null]), null)
})

test('same build, noisy rounds: a median 25 % lower within the noise is inconclusive, exit 0, and the report says so', () => {
  // CPU per request ratio rounds move 11-58 %, as on the busy machine of issue 13
  const base = result([rounded('chat', [[8000, 40, 10_000, 20], [8000, 60, 10_000, 20], [8000, 30, 10_000, 20], [8000, 45, 10_000, 20], [8000, 70, 10_000, 20]])])
  const cur = result([rounded('chat', [[8000, 56, 10_000, 20], [8000, 30, 10_000, 20], [8000, 75, 10_000, 20], [8000, 50, 10_000, 20], [8000, 90, 10_000, 20]])])
  const rows = compareToBaseline(cur, base, 0.1)
  const cpu = rows.find((r) => r.metric === 'cpu per request ratio')!
  assert.equal(cpu.worse, 0.2444)
  assert.ok(cpu.noise! > cpu.worse, `noise ${cpu.noise}`)
  assert.equal(cpu.verdict, 'inconclusive')
  assert.equal(cpu.regressed, false)
  assert.equal(baselineExitCode(rows), 0)
  const text = formatRegressions(rows, 0.1)
  assert.match(text, /^no regression beyond 10\.0% against the baseline; 1 drop\(s\) beyond 10\.0% inconclusive/)
  assert.match(text, new RegExp(`inconclusive \\(noise ${(cpu.noise! * 100).toFixed(1)} %\\)`))
  assert.doesNotMatch(text, /REGRESSED/)
  // the same drop measured with quiet rounds is a regression
  const quietBase = result([rounded('chat', [[8000, 45, 10_000, 20], [8000, 45, 10_000, 20], [8000, 44, 10_000, 20]])])
  const quietCur = result([rounded('chat', [[8000, 56, 10_000, 20], [8000, 56, 10_000, 20], [8000, 57, 10_000, 20]])])
  assert.equal(baselineExitCode(compareToBaseline(quietCur, quietBase, 0.1)), 1)
})

test('the issue-13 case: throughput several-fold better, CPU per request 11-58 % apart in noisy rounds: no fail', () => {
  const base = result([rounded('chat', [[1000, 40, 10_000, 20], [1200, 50, 10_000, 20], [900, 35, 10_000, 20], [1100, 45, 10_000, 20], [1000, 60, 10_000, 20]])])
  const cur = result([rounded('chat', [[5000, 63, 10_000, 20], [5500, 40, 10_000, 20], [4800, 50, 10_000, 20], [5200, 70, 10_000, 20], [5100, 48, 10_000, 20]])])
  const rows = compareToBaseline(cur, base, 0.1)
  assert.deepEqual(rows.map((r) => r.verdict), ['ok', 'inconclusive'])
  assert.equal(baselineExitCode(rows), 0)
})

test('2x CPU per request beyond the noise fails, with rounds that move by 20 %', () => {
  const base = result([rounded('chat', [[8000, 40, 10_000, 20], [8000, 48, 10_000, 20], [8000, 36, 10_000, 20], [8000, 44, 10_000, 20], [8000, 52, 10_000, 20]])])
  const slow = result([rounded('chat', [[5000, 100, 10_000, 20], [5200, 80, 10_000, 20], [4000, 120, 10_000, 20], [4800, 95, 10_000, 20], [6000, 90, 10_000, 20]])])
  const rows = compareToBaseline(slow, base, 0.1)
  const cpu = rows.find((r) => r.metric === 'cpu per request ratio')!
  assert.equal(cpu.worse, 1.1591)
  assert.ok(cpu.noise! < 0.5, `noise ${cpu.noise}`)
  assert.equal(cpu.verdict, 'regressed')
  assert.equal(baselineExitCode(rows), 1)
})

test('a baseline from before rounds: its noise is taken from the current run; --target rounds gate on median req/s', () => {
  const old = result([scenario('chat', figures(8000, 3, 9, 40), figures(10_000, 2, 6, 20))])
  const cur = result([rounded('chat', [[8000, 50, 10_000, 20], [8000, 30, 10_000, 20], [8000, 70, 10_000, 20]])])
  const cpu = compareToBaseline(cur, old, 0.1).find((r) => r.metric === 'cpu per request ratio')!
  assert.equal(cpu.noise, combinedNoise({ spread: cur.scenarios[0]!.noise!.cpuPerRequest!, rounds: 3 }, null))
  assert.equal(cpu.verdict, 'inconclusive')
  const t = (rs: number[]): ScenarioResult => {
    const gw = rs.map((r) => figures(r, 3, 9, null))
    const rounds = gw.map((g) => roundFigures(g, null))
    return { ...scenario('chat', mergeRuns(gw), null), rounds, noise: roundsNoise(rounds) }
  }
  const rows = compareToBaseline(result([t([7000, 3000, 7100])]), result([t([8000, 8100, 7900])]), 0.1)
  assert.equal(rows[0]!.metric, 'req/s')
  assert.equal(rows[0]!.current, 7000, 'the median round, not the mean of a bad one')
  assert.equal(rows[0]!.baseline, 8000)
})

test('results with rounds satisfy the published bench-result schema', () => {
  const r = { ...result([rounded('chat', [[8000, 40, 10_000, 20], [7000, 45, 9000, 21]])]), rounds: 2 }
  const parsed = benchResultSchema.safeParse(JSON.parse(JSON.stringify(r)))
  assert.equal(parsed.success, true, JSON.stringify(parsed.error?.issues))
})
