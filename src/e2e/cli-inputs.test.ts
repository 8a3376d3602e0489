/** Bad input to bench, profile and init: a clear message about the user's own file or flag, never a stack trace. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startMockServer } from '../mock/server.js'
import { runCli } from './bench-cli.js'

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'llmgw-cli-inputs-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

test('bench -c with an invalid spec reports every problem at its place in the user\'s file (not a rewritten temp file)', async (t) => {
  const file = join(tempDir(t), 'bad.yaml')
  writeFileSync(file, [
    'version: 1',
    'server:',
    '  prot: 8080',
    'providers:',
    '  - { name: up, type: openai, baseUrl: "http://127.0.0.1:1/v1", apiKey: "${env:LLMGW_TEST_UNSET_KEY}", mokc: 1 }',
    'models:',
    '  - { name: m, targets: [{ provider: up, model: x }] }',
    'keys:',
    '  - { id: k, key: "${env:LLMGW_TEST_UNSET_VAR}" }',
    '',
  ].join('\n'))
  const r = await runCli(['bench', '-c', file, '--scenario', 'chat', '--duration', '1s', '--connections', '2'])
  const out = r.stdout + r.stderr
  assert.equal(r.code, 1, out)
  assert.ok(out.includes(`${file}:3:3`), out)
  assert.match(out, /providers\[0\]\.mokc/, 'a problem inside a provider the bench rewrites is reported too')
  assert.match(out, /LLMGW_TEST_UNSET_VAR/, 'a missing variable fails as it does for serve')
  assert.doesNotMatch(out, /LLMGW_TEST_UNSET_KEY/, 'not one in a provider field bench replaces with the mock (no production keys in CI)')
  assert.doesNotMatch(out, /llmgw\.bench\.yaml/)
})

test('profile refuses a scenario the gateway answers with errors (as bench skips it), saying why', async (t) => {
  const file = join(tempDir(t), 'm1.yaml')
  writeFileSync(file, 'version: 1\nproviders: [{ name: sim, type: mock }]\nmodels: [{ name: m1, targets: [{ provider: sim, model: mock-1 }] }]\n')
  const r = await runCli(['profile', '-c', file, '--duration', '1s'])
  assert.notEqual(r.code, 0, r.stdout)
  assert.match(r.stderr, /answered 404 to the first request.*model_not_found/)
})

test('bench --target never prints the URL\'s password; init into a directory named like the spec is one line, exit 1', async (t) => {
  const mock = await startMockServer({ host: '127.0.0.1', port: 0, latencyMs: 0 })
  t.after(() => mock.close())
  const target = mock.url.replace('http://', 'http://user:sekret-pw-123@')
  const r = await runCli(['bench', '--target', target, '--scenario', 'chat', '--duration', '1s', '--connections', '2', '--json'])
  assert.equal(r.code, 0, r.stderr)
  assert.doesNotMatch(r.stdout + r.stderr, /sekret-pw-123/)
  assert.match((JSON.parse(r.stdout) as { target: string }).target, /user:\[redacted\]@/)
  const dir = tempDir(t)
  mkdirSync(join(dir, 'llmgw.config.yaml'))
  const init = await runCli(['init', '--force'], { cwd: dir })
  assert.equal(init.code, 1, init.stderr)
  assert.equal(init.stderr, 'llmgw init: cannot write llmgw.config.yaml: EISDIR\n')
})
