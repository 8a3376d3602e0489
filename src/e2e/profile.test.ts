/** `llmgw profile` end to end (SPEC §2): --tool cpu writes a parseable .cpuprofile and prints a summary; stages prints a table; no orphans. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { clinicStatus } from '../profile/clinic.js'
import { readCpuProfile, summarizeCpuProfile } from '../profile/cpuprofile.js'
import { assertNoOrphans, runCli } from './bench-cli.js'

test('profile --tool cpu: a parseable .cpuprofile in --out, its path and a 10-line summary printed, no orphans', async (t) => {
  const out = mkdtempSync(join(tmpdir(), 'llmgw-profile-'))
  t.after(() => rmSync(out, { recursive: true, force: true }))
  const r = await runCli(['profile', '--tool', 'cpu', '--duration', '2s', '--scenario', 'chat', '--out', out])
  assert.equal(r.code, 0, r.stderr)
  const files = readdirSync(out).filter((f) => f.endsWith('.cpuprofile'))
  assert.equal(files.length, 1, `one profile in ${out}: ${readdirSync(out).join(', ')}`)
  const file = join(out, files[0]!)
  assert.ok(r.stdout.includes(`cpu profile: ${file}`))
  const summary = summarizeCpuProfile(readCpuProfile(file))
  assert.ok(summary.totalMs > 0 && summary.top.length > 0)
  const lines = r.stdout.split('\n')
  const head = lines.findIndex((l) => /ms sampled, .*% idle; top self time:/.test(l))
  assert.ok(head >= 0, r.stdout)
  const ranked = lines.slice(head + 1).filter((l) => /^\s*\d+\.\s+\d+\.\d%/.test(l))
  assert.ok(ranked.length >= 1 && ranked.length <= 10, `1..10 ranked lines, got ${ranked.length}`)
  assert.match(r.stdout, /\d+ requests, \d+ req\/s/)
  assert.ok(r.children.length >= 2)
  await assertNoOrphans(r.children)
})

test('profile (stages, the default): a table of time per pipeline stage from /admin/stages', async () => {
  const r = await runCli(['profile', '--duration', '1s', '--scenario', 'chat'])
  assert.equal(r.code, 0, r.stderr)
  assert.match(r.stdout, /│ stage\s+│ calls\s+│ mean µs/)
  assert.match(r.stdout, /│ parse\s+│ [1-9]\d*/)
  await assertNoOrphans(r.children)
})

test('profile -c SPEC with admin.token: /admin/stages is asked with the spec\'s token, which is never printed', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'llmgw-profile-admin-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const spec = join(dir, 'llmgw.yaml')
  writeFileSync(spec, [
    'version: 1',
    'admin: { token: "${env:PROFILE_TEST_ADMIN_TOKEN}" }',
    'providers: [{ name: up, type: mock }]',
    'models: [{ name: mock-1, targets: [{ provider: up, model: mock-1 }] }]',
    '',
  ].join('\n'))
  const token = 'adm-profile-secret-7f3a9c'
  const r = await runCli(['profile', '-c', spec, '--duration', '1s', '--scenario', 'chat'], { env: { ...process.env, PROFILE_TEST_ADMIN_TOKEN: token } })
  assert.equal(r.code, 0, r.stderr)
  assert.doesNotMatch(r.stderr, /answered 401/)
  assert.match(r.stdout, /│ parse\s+│ [1-9]\d*/)
  assert.ok(!r.stdout.includes(token) && !r.stderr.includes(token), 'the admin token was printed')
  await assertNoOrphans(r.children)
})

// clinic is an optional dependency: where npm installed it, flame must end with its HTML report. 0x waits for the
// profiled gateway to exit, and clinic does not pass its SIGINT on: without the SIGINT to the whole tree it hung.
const clinic = clinicStatus('flame')
test('profile --tool flame with clinic: the gateway stops, clinic writes its HTML report, no orphans', { skip: clinic.bin ? false : clinic.reason, timeout: 240_000 }, async (t) => {
  const out = mkdtempSync(join(tmpdir(), 'llmgw-profile-flame-'))
  t.after(() => rmSync(out, { recursive: true, force: true }))
  const r = await runCli(['profile', '--tool', 'flame', '--duration', '1s', '--scenario', 'chat', '--out', out], { timeoutMs: 200_000 })
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`)
  assert.match(r.stdout, /^clinic flame: using clinic at /m)
  const html = readdirSync(out).filter((f) => f.endsWith('.clinic-flame.html'))
  assert.equal(html.length, 1, readdirSync(out).join(', '))
  assert.ok(r.stdout.includes(`report: ${join(out, html[0]!)}`), r.stdout)
  await assertNoOrphans(r.children)
})
