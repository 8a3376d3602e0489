/** `llmgw bench --baseline` exit codes end to end (SPEC §2: 1 when a regression exceeds --max-regression), with synthetic baseline files. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BENCH_RESULT_SCHEMA, type BenchResult, type RunFigures } from '../bench/result.js'
import { startMockServer } from '../mock/server.js'
import { runCli } from './bench-cli.js'

/** A --target baseline (no direct run): the gate compares absolute req/s. */
function baseline(reqPerSec: number): BenchResult {
  const gw: RunFigures = {
    requests: reqPerSec, reqPerSec, latencyMs: { p50: 1, p90: 1, p99: 1, max: 1, mean: 1 }, errors: 0, timeouts: 0, non2xx: 0, statusCodes: { '200': reqPerSec },
    bytesPerSec: 1, durationSec: 1, interrupted: false, process: null, cpuUsPerRequest: null,
  }
  return {
    schema: BENCH_RESULT_SCHEMA, llmgwVersion: '0.0.0', createdAt: '2026-01-01T00:00:00.000Z', machine: { cpus: 1, cpuModel: 'x', node: 'v20', platform: 'linux', loadavg1m: 0 },
    mode: 'target', target: 'http://127.0.0.1:1', config: null, connections: 4, durationMs: 1000, interrupted: false, errors: [],
    scenarios: [{ name: 'chat', file: 'bench/scenarios/chat.json', stream: false, skipped: null, gateway: gw, direct: null, ratios: null, upstreamRequests: null, ttfb: null }],
  }
}

test('--baseline: exit 1 with a REGRESSED row when req/s fell beyond --max-regression, exit 0 when it did not', async (t) => {
  const mock = await startMockServer({ host: '127.0.0.1', port: 0, latencyMs: 0 })
  const dir = mkdtempSync(join(tmpdir(), 'llmgw-baseline-'))
  t.after(async () => { await mock.close(); rmSync(dir, { recursive: true, force: true }) })
  const fast = join(dir, 'fast.json')
  const slow = join(dir, 'slow.json')
  writeFileSync(fast, JSON.stringify(baseline(1e9)))
  writeFileSync(slow, JSON.stringify(baseline(1)))
  // one round: no noise estimate, so --max-regression alone decides (bench-gate.test.ts covers rounds and noise)
  const args = ['bench', '--target', mock.url, '--scenario', 'chat', '--duration', '1s', '--connections', '4', '--rounds', '1']
  const bad = await runCli([...args, '--baseline', fast])
  assert.equal(bad.code, 1, bad.stderr)
  assert.match(bad.stdout, /1 regression\(s\) beyond 10\.0% against the baseline/)
  assert.match(bad.stdout, /noise n\/a: neither run has 2 or more rounds/)
  assert.match(bad.stdout, /│ chat\s+│ req\/s\s+│ 1000000000\.000 │[^\n]*REGRESSED/)
  const ok = await runCli([...args, '--baseline', slow, '--max-regression', '5%'])
  assert.equal(ok.code, 0, ok.stderr)
  assert.match(ok.stdout, /no regression beyond 5\.0% against the baseline/)
})

test('--baseline: a gate that compared nothing fails (exit 1, never "no regression"); --save-baseline is checked before the run', async (t) => {
  const mock = await startMockServer({ host: '127.0.0.1', port: 0, latencyMs: 0 })
  const dir = mkdtempSync(join(tmpdir(), 'llmgw-baseline-'))
  t.after(async () => { await mock.close(); rmSync(dir, { recursive: true, force: true }) })
  const base = baseline(1)
  const other = { ...base, scenarios: [{ ...base.scenarios[0]!, name: 'not-run-today' }] }
  const file = join(dir, 'other.json')
  writeFileSync(file, JSON.stringify(other))
  const args = ['bench', '--target', mock.url, '--scenario', 'chat', '--duration', '1s', '--connections', '2']
  const none = await runCli([...args, '--baseline', file])
  assert.equal(none.code, 1, none.stderr)
  assert.match(none.stdout, /nothing was compared/)
  assert.doesNotMatch(none.stdout, /no regression/)
  // a directory as the file to write: a usage error before any load (the target sees no request), no stack trace
  const before = mock.stats().requests
  const bad = await runCli([...args, '--save-baseline', dir])
  assert.equal(bad.code, 2, bad.stderr)
  assert.match(bad.stderr, /--save-baseline: .* is a directory/)
  assert.doesNotMatch(bad.stderr, /\n\s+at /, 'no stack trace')
  assert.equal(mock.stats().requests, before, 'checked before the run')
})
