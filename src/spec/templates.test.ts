/** Every template lints clean (given dummy env vars) and `llmgw init` writes it (SPEC §2 init, §3). */
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { packageRoot } from '../core/package-root.js'
import { runInit, templateNames } from '../cli/init.js'
import { loadSpec } from './load.js'

const DUMMY_ENV = { OPENAI_API_KEY: 'sk-test', ANTHROPIC_API_KEY: 'sk-ant-test', TEAM_A_KEY: 'llmgw-test', LLMGW_ADMIN_TOKEN: 'admin-test' }

test('the four SPEC templates exist, and the protocols and plugin ones (issue 12)', () => {
  assert.deepEqual(templateNames(), ['basic', 'multi-provider', 'openai', 'plugin', 'production', 'protocols'])
})

for (const name of ['basic', 'openai', 'multi-provider', 'production', 'protocols', 'plugin']) {
  test(`template ${name} lints clean and starts with the schema modeline`, async () => {
    const file = join(packageRoot(), 'templates', `${name}.yaml`)
    const r = await loadSpec({ file, env: DUMMY_ENV })
    assert.ok(r.ok, JSON.stringify(r.ok ? [] : r.problems, null, 2))
    assert.deepEqual(r.warnings, [])
    const first = readFileSync(file, 'utf8').split('\n')[0] ?? ''
    assert.equal(first, '# yaml-language-server: $schema=../schemas/llmgw.schema.json')
    assert.ok(existsSync(join(packageRoot(), 'templates', '../schemas/llmgw.schema.json')))
  })
}

test('basic runs offline: only mock providers, no auth', async () => {
  const r = await loadSpec({ file: join(packageRoot(), 'templates', 'basic.yaml'), env: {} })
  assert.ok(r.ok)
  assert.deepEqual(r.spec.providers.map((p) => p.type), ['mock'])
  assert.equal(r.spec.auth.required, false)
})

test('templates without their env vars fail with the variable named', async () => {
  const r = await loadSpec({ file: join(packageRoot(), 'templates', 'openai.yaml'), env: {} })
  assert.ok(!r.ok)
  assert.deepEqual([...new Set(r.problems.map((p) => p.rule))], ['env-missing'])
  assert.match(r.problems[0]?.message ?? '', /OPENAI_API_KEY/)
})

test('init writes llmgw.config.yaml, refuses to overwrite without --force, rejects unknown templates', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'llmgw-init-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const quiet = t.mock.method(process.stdout, 'write', () => true)
  const quietErr = t.mock.method(process.stderr, 'write', () => true)
  assert.equal(await runInit({ template: 'multi-provider', force: false }, dir), 0)
  const written = join(dir, 'llmgw.config.yaml')
  assert.match(readFileSync(written, 'utf8'), /^# yaml-language-server: \$schema=\/.*schemas\/llmgw\.schema\.json\n/)
  const r = await loadSpec({ cwd: dir, env: DUMMY_ENV })
  assert.ok(r.ok && r.file === written)
  assert.equal(await runInit({ template: 'basic', force: false }, dir), 1)
  assert.equal(await runInit({ template: 'basic', force: true }, dir), 0)
  await assert.rejects(runInit({ template: 'nope', force: false }, dir), { name: 'UsageError', message: /basic, multi-provider, openai, plugin, production/ })
  quiet.mock.restore()
  quietErr.mock.restore()
})

test('init --template plugin writes the spec and its plugin files, which load clean; existing plugin files are kept', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'llmgw-init-plugin-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const out = t.mock.method(process.stdout, 'write', () => true)
  const err = t.mock.method(process.stderr, 'write', () => true)
  assert.equal(await runInit({ template: 'plugin', force: false }, dir), 0)
  const said = String(out.mock.calls.at(-1)?.arguments[0])
  for (const f of ['pii-redact.mjs', 'header-route.mjs']) {
    assert.equal(readFileSync(join(dir, 'plugins', f), 'utf8'), readFileSync(join(packageRoot(), 'templates', 'plugins', f), 'utf8'))
    assert.ok(said.includes(`plugins/${f}`), said)
  }
  const r = await loadSpec({ cwd: dir, env: {} })
  assert.ok(r.ok, JSON.stringify(r.ok ? [] : r.problems))
  assert.deepEqual(r.spec.rules.map((x) => x.type), ['plugin', 'plugin'])
  writeFileSync(join(dir, 'plugins', 'pii-redact.mjs'), '// mine\nexport const onEnd = () => {}\n')
  assert.equal(await runInit({ template: 'plugin', force: true }, dir), 0)
  assert.equal(readFileSync(join(dir, 'plugins', 'pii-redact.mjs'), 'utf8').startsWith('// llmgw plugin'), true, '--force overwrites')
  writeFileSync(join(dir, 'plugins', 'pii-redact.mjs'), '// mine\nexport const onEnd = () => {}\n')
  rmSync(join(dir, 'llmgw.config.yaml'))
  assert.equal(await runInit({ template: 'plugin', force: false }, dir), 0)
  assert.match(readFileSync(join(dir, 'plugins', 'pii-redact.mjs'), 'utf8'), /^\/\/ mine/)
  assert.ok(err.mock.calls.some((c) => /kept the existing plugins\/pii-redact\.mjs/.test(String(c.arguments[0]))))
  out.mock.restore()
  err.mock.restore()
})
