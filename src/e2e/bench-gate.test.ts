/**
 * The release gate end to end (SPEC §2 `bench --baseline`, issue 13): interleaved rounds, a drop within the rounds'
 * noise is "inconclusive" (exit 0), a real slowdown (the LLMGW_TEST_SLOWDOWN test hook) fails (exit 1). Three short
 * rounds per run (1 s per side), loopback only.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { roundsNoise } from '../bench/compare.js'
import type { BenchResult, RoundFigures } from '../bench/result.js'
import { assertNoOrphans, runCli } from './bench-cli.js'

const ARGS = ['bench', '--scenario', 'chat', '--duration', '1s', '--connections', '20', '--rounds', '3']
const RUN_TIMEOUT_MS = 180_000

/**
 * The same build's baseline with its throughput-ratio rounds rigged: a median 3x what was measured (so today's run
 * looks about 67 % worse) but rounds from 0.5x to 9x, far noisier than the drop. The CPU rounds keep their median and
 * get the same wild spread.
 */
function rigNoisy(base: BenchResult): BenchResult {
  const s = base.scenarios[0]!
  const q = s.ratios!.reqPerSec
  const c = s.ratios!.cpuPerRequest!
  const tp = [0.5, 1.5, 3, 4.5, 9].map((k) => k * q)
  const cpu = [0.2, 0.6, 1, 1.8, 3].map((k) => k * c)
  const rounds: RoundFigures[] = tp.map((r, i) => ({ ...s.rounds![0]!, reqPerSec: r, cpuPerRequest: cpu[i]! }))
  return { ...base, rounds: 5, scenarios: [{ ...s, ratios: { ...s.ratios!, reqPerSec: 3 * q }, rounds, noise: roundsNoise(rounds) }] }
}

/**
 * The same baseline with its rounds made quiet (every round at the measured median). A baseline recorded while other
 * test files load the 2 cores can be so noisy that even a 3x slowdown is "inconclusive", which is the gate working;
 * this test asserts the other half, that a slowdown beyond the noise of today's rounds fails. (Real same-machine runs
 * of both sides: bench/run-gate.mjs, figures in bench/README.md.)
 */
function rigQuiet(base: BenchResult): BenchResult {
  const s = base.scenarios[0]!
  const rounds: RoundFigures[] = s.rounds!.map((r) => ({ ...r, reqPerSec: s.ratios!.reqPerSec, cpuPerRequest: s.ratios!.cpuPerRequest! }))
  return { ...base, scenarios: [{ ...s, rounds, noise: roundsNoise(rounds) }] }
}

test('gate: a same-build run against a baseline with rigged noisy rounds is inconclusive (exit 0); LLMGW_TEST_SLOWDOWN=3 fails (exit 1)', { timeout: 4 * RUN_TIMEOUT_MS }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'llmgw-gate-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const baseFile = join(dir, 'base.json')
  const base = await runCli([...ARGS, '--save-baseline', baseFile], { timeoutMs: RUN_TIMEOUT_MS })
  assert.equal(base.code, 0, base.stderr)
  const saved = JSON.parse(readFileSync(baseFile, 'utf8')) as BenchResult
  assert.equal(saved.rounds, 3)
  const s = saved.scenarios[0]!
  assert.equal(s.rounds!.length, 3, 'one entry per interleaved round')
  assert.ok(s.rounds!.every((r) => r.reqPerSec !== null && r.reqPerSec > 0 && r.cpuPerRequest !== null), JSON.stringify(s.rounds))
  assert.ok(s.noise && s.noise.reqPerSec !== null && s.noise.cpuPerRequest !== null, 'the spread of the rounds is recorded')
  assert.match(base.stdout, /rounds: throughput ratio (\d+\.\d{3} ){3}\(spread \d+\.\d %\)/)

  const noisyFile = join(dir, 'noisy.json')
  writeFileSync(noisyFile, JSON.stringify(rigNoisy(saved)))
  const unsure = await runCli([...ARGS, '--baseline', noisyFile], { timeoutMs: RUN_TIMEOUT_MS })
  assert.equal(unsure.code, 0, `${unsure.stdout}\n${unsure.stderr}`)
  assert.match(unsure.stdout, /│ chat\s+│ throughput ratio\s+│[^\n]*│ inconclusive \(noise \d+\.\d %\)/)
  // the throughput drop is rigged; the CPU ratio keeps the measured median, so on a loaded runner today's CPU round can
  // also land beyond 10 % (seen in CI: -10.2 % against noise of 322 %): inconclusive as well, never a failure
  assert.match(unsure.stdout, /no regression beyond 10\.0% against the baseline; [12] drop\(s\) beyond 10\.0% inconclusive/)
  assert.doesNotMatch(unsure.stdout, /REGRESSED/)

  const quietFile = join(dir, 'quiet.json')
  writeFileSync(quietFile, JSON.stringify(rigQuiet(saved)))
  const slow = await runCli([...ARGS, '--baseline', quietFile], { timeoutMs: RUN_TIMEOUT_MS, env: { LLMGW_TEST_SLOWDOWN: '3' } })
  assert.equal(slow.code, 1, `${slow.stdout}\n${slow.stderr}`)
  assert.match(slow.stdout, /│ chat\s+│ cpu per request ratio\s+│[^\n]*│ REGRESSED/)
  assert.match(slow.stdout, /regression\(s\) beyond 10\.0% against the baseline/)
  await assertNoOrphans([...base.children, ...unsure.children, ...slow.children])
})
