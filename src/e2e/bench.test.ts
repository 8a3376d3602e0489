/** `llmgw bench` end to end (SPEC §2): self-hosted mock + gateway, --json against the schema, requests counted at the mock, no orphans. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { benchResultSchema } from '../bench/result-schema.js'
import type { BenchResult } from '../bench/result.js'
import { runBench } from '../cli/bench.js'
import { UsageError } from '../cli/exit-codes.js'
import { assertNoOrphans, runCli } from './bench-cli.js'

test('self-hosted bench for 2 s with --json: valid document, the mock counted the gateway requests, no orphans', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'llmgw-bench-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const saved = join(dir, 'baseline.json')
  const r = await runCli(['bench', '--scenario', 'chat', '--duration', '2s', '--connections', '8', '--rounds', '1', '--json', '--save-baseline', saved])
  assert.equal(r.code, 0, r.stderr)
  const doc = JSON.parse(r.stdout) as BenchResult
  assert.deepEqual(JSON.parse(readFileSync(saved, 'utf8')), doc, '--save-baseline writes the same document')
  const parsed = benchResultSchema.safeParse(doc)
  assert.ok(parsed.success, parsed.success ? '' : parsed.error.message)
  assert.equal(doc.mode, 'self-hosted')
  assert.equal(doc.interrupted, false)
  const s = doc.scenarios[0]!
  assert.equal(s.name, 'chat')
  const ok = s.gateway!.statusCodes['200'] ?? 0
  assert.ok(ok > 0, 'the gateway answered 200s')
  assert.equal(s.gateway!.non2xx, 0)
  // every 200 the gateway gave came from the mock (plus requests cut off when autocannon stopped)
  assert.ok(s.upstreamRequests !== null && s.upstreamRequests >= ok, `mock counted ${s.upstreamRequests}, gateway answered ${ok}`)
  assert.ok(s.upstreamRequests! <= ok + 2 * doc.connections + 2)
  assert.ok(s.direct && s.direct.requests > 0, 'the direct run reached the mock')
  assert.ok(s.ratios && s.ratios.reqPerSec > 0)
  if (process.platform === 'linux') assert.ok(s.gateway!.process && s.gateway!.process.rssBytes > 0, '/proc figures for the gateway')
  assert.ok(r.children.length >= 2, `mock and gateway were children of bench (saw ${r.children.join(',')})`)
  await assertNoOrphans(r.children)
})

test('an unreachable --target is a clear error, exit 1', async () => {
  const r = await runCli(['bench', '--target', 'http://127.0.0.1:9', '--scenario', 'chat', '--duration', '1s'])
  assert.equal(r.code, 1)
  assert.match(r.stdout + r.stderr, /cannot reach http:\/\/127\.0\.0\.1:9: ECONNREFUSED/)
})

test('usage errors are UsageErrors (exit 2): remote target, bad duration, unreadable baseline, broken scenario with line:col', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'llmgw-bench-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const base = { duration: '1s', connections: 4, json: true, maxRegression: '10%' }
  await assert.rejects(runBench({ ...base, target: 'http://192.0.2.1:8080' }), (e: Error) => e instanceof UsageError && /loopback targets only/.test(e.message))
  await assert.rejects(runBench({ ...base, duration: 'soon' }), UsageError)
  await assert.rejects(runBench({ ...base, maxRegression: 'lots' }), /--max-regression/)
  await assert.rejects(runBench({ ...base, rounds: 0 }), (e: Error) => e instanceof UsageError && /--rounds must be from 1 to 100/.test(e.message))
  await assert.rejects(runBench({ ...base, baseline: join(dir, 'missing.json') }), /--baseline: cannot read .*ENOENT/)
  const notBench = join(dir, 'other.json')
  writeFileSync(notBench, '{"schema": "something-else"}')
  await assert.rejects(runBench({ ...base, baseline: notBench }), /not a bench result/)
  const bad = join(dir, 'bad.json')
  writeFileSync(bad, '{\n  "name": "bad",\n  "path": "/v1/chat/completions",\n  "stream": "yes"\n}\n')
  await assert.rejects(runBench({ ...base, scenario: bad }), (e: Error) => e instanceof UsageError && /bad\.json:4:13 {2}error {2}'stream' must be true or false/.test(e.message))
})
