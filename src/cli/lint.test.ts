/** `llmgw lint` end to end in a child process: exit codes 0/1/2, stylish and json output (SPEC §2). */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { packageRoot } from '../core/package-root.js'

const MAIN = pathToFileURL(join(dirname(fileURLToPath(import.meta.url)), 'main.js')).href
const fixture = (id: string) => join(packageRoot(), 'fixtures', 'lint', id, 'spec.yaml')

function llmgw(args: string[], cwd = packageRoot()) {
  const code = `const m = await import(${JSON.stringify(MAIN)}); await m.main(['node', 'llmgw', ...process.argv.slice(1)])`
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

test('an error: stylish output with file, line:col, severity, message, rule id; exit 1', () => {
  const r = llmgw(['lint', fixture('unknown-provider')])
  assert.equal(r.status, 1)
  assert.match(r.stdout, new RegExp(`^\\n${fixture('unknown-provider').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\n`))
  assert.match(r.stdout, /\n {2}\S*unknown-provider\/spec\.yaml:10:21 +error +models\[0\]\.targets\[0\]\.provider: unknown provider 'opnai' \(did you mean 'openai'\?\) +unknown-provider\n/)
  assert.match(r.stdout, /✖ 2 problems \(1 error, 1 warning\)/)
})

test('warnings only: exit 0, and 1 with --strict', () => {
  assert.equal(llmgw(['lint', fixture('unused-provider')]).status, 0)
  assert.equal(llmgw(['lint', '--strict', fixture('unused-provider')]).status, 1)
})

test('--format json lists problems per file', () => {
  const r = llmgw(['lint', '--format', 'json', fixture('fallback-cycle')])
  assert.equal(r.status, 1)
  const report = JSON.parse(r.stdout) as { file: string; errorCount: number; warningCount: number; problems: { rule: string; line: number; col: number }[] }[]
  assert.equal(report.length, 1)
  assert.equal(report[0]?.errorCount, 2)
  assert.deepEqual(report[0]?.problems.map((p) => [p.rule, p.line, p.col]), [['fallback-cycle', 7, 16], ['fallback-cycle', 16, 16]])
})

test('unreadable file or no spec found: exit 2', (t) => {
  assert.equal(llmgw(['lint', 'does-not-exist.yaml']).status, 2)
  const dir = mkdtempSync(join(tmpdir(), 'llmgw-lint-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const none = llmgw(['lint'], dir)
  assert.equal(none.status, 2)
  assert.match(none.stdout, /no spec found/)
  writeFileSync(join(dir, '.llmgwrc.yaml'), 'version: 1\nproviders: [{ name: sim, type: mock }]\nmodels: [{ name: m, targets: [{ provider: sim, model: x }] }]\n')
  const found = llmgw(['lint'], dir)
  assert.equal(found.status, 0, found.stdout + found.stderr)
  assert.equal(found.stdout, '')
})

test('a broken package.json in the working directory (the search reads it) is reported at its line:col with the reason, for lint and serve', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'llmgw-badpkg-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  writeFileSync(join(dir, 'package.json'), '{"name": "app",\n')
  const r = llmgw(['lint'], dir)
  assert.equal(r.status, 1, r.stderr)
  assert.match(r.stdout, new RegExp(`package\\.json:2:1 +error +\\S`), r.stdout)
  const s = llmgw(['serve', '--port', '0', '--no-dashboard'], dir)
  assert.equal(s.status, 1)
  assert.match(s.stderr, /package\.json:2:1 +error +\S/, s.stderr)
})

test('a package.json only JSON.parse refuses (a trailing comma) and without an llmgw field holds no spec: the search finds none', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'llmgw-commapkg-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  writeFileSync(join(dir, 'package.json'), '{"name": "app", "private": true,}\n')
  const r = llmgw(['lint'], dir)
  assert.equal(r.status, 2, r.stdout + r.stderr)
  assert.match(r.stdout + r.stderr, /no spec found/)
})
