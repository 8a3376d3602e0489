/** `llmgw diff` as a user runs it (SPEC §2): exit codes 0/1/2, formats, git:REF:path, unset env vars. */
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { execFile, execFileSync } from 'node:child_process'
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { packageRoot } from '../core/package-root.js'
import { runDiff, type DiffOptions } from './diff.js'

const ROOT = packageRoot()
const FIXTURES = join(ROOT, 'fixtures', 'diff')
const HERE = fileURLToPath(import.meta.url)
// In the final suite this file runs from dist/, so bin/llmgw.js is exactly what users run; in a private build
// directory, the main.js beside this file stands in for it.
const VIA_BIN = HERE.startsWith(join(ROOT, 'dist') + sep)
const MAIN_URL = new URL('./main.js', import.meta.url).href

interface Run {
  code: number
  stdout: string
  stderr: string
}

function llmgw(args: string[], o: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Run> {
  const argv = VIA_BIN
    ? [join(ROOT, 'bin', 'llmgw.js'), ...args]
    : ['-e', `import(${JSON.stringify(MAIN_URL)}).then((m) => m.main(['node', 'llmgw', ...process.argv.slice(1)]))`, '--', ...args]
  return new Promise((resolve) => {
    execFile(process.execPath, argv, { cwd: o.cwd ?? ROOT, env: o.env ?? process.env, timeout: 20_000 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1
      resolve({ code, stdout, stderr })
    })
  })
}

/** runDiff in this process: for output checks that need no process boundary (faster on a busy machine). */
async function inProcess(args: [string, string], o: Partial<DiffOptions> = {}, io: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Run> {
  let stdout = ''
  let stderr = ''
  const code = await runDiff(args[0], args[1], { format: o.format ?? 'table', exitCode: o.exitCode ?? false }, {
    cwd: io.cwd ?? ROOT,
    env: io.env ?? process.env,
    stdout: { write: (x: string) => (stdout += x) },
    stderr: { write: (x: string) => (stderr += x) },
  })
  return { code, stdout, stderr }
}

const fixture = (name: string, side: 'old' | 'new') => join(FIXTURES, name, `${side}.yaml`)

function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'llmgw-diff-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

test('differing specs: table with the summary, exit 0', async () => {
  const r = await llmgw(['diff', fixture('breaking-model-removed', 'old'), fixture('breaking-model-removed', 'new')])
  assert.equal(r.code, 0, r.stderr)
  assert.match(r.stdout, /models\[mock-1\]/)
  assert.match(r.stdout, /1 breaking, 0 risky, 0 safe/)
})

test('--exit-code: 1 when they differ, 0 when identical ("no changes")', async () => {
  const differ = await llmgw(['diff', '--exit-code', fixture('safe-model-added', 'old'), fixture('safe-model-added', 'new')])
  assert.equal(differ.code, 1, differ.stderr)
  const same = await inProcess([fixture('unchanged-reordered', 'old'), fixture('unchanged-reordered', 'new')], { exitCode: true })
  assert.equal(same.code, 0, same.stderr)
  assert.match(same.stdout, /no changes/)
})

test('--format json is the documented document and carries no secrets', async () => {
  const r = await inProcess([fixture('secret-rotated', 'old'), fixture('secret-rotated', 'new')], { format: 'json' })
  assert.equal(r.code, 0, r.stderr)
  const doc = JSON.parse(r.stdout) as { version: number; old: { file: string; version: string }; new: object; changes: Array<{ path: string }>; summary: object }
  assert.deepEqual(Object.keys(doc), ['version', 'old', 'new', 'changes', 'summary'])
  assert.equal(doc.version, 1)
  assert.match(doc.old.version, /^[0-9a-f]{12}$/)
  assert.deepEqual(doc.summary, { breaking: 1, risky: 1, safe: 0, needsRestart: 0 })
  assert.doesNotMatch(r.stdout, /SECRET/)
})

test('--format markdown matches the golden file', async () => {
  const r = await inProcess(['fixtures/diff/risky-weights-shifted/old.yaml', 'fixtures/diff/risky-weights-shifted/new.yaml'], { format: 'markdown' })
  assert.equal(r.code, 0, r.stderr)
  const expected = readFileSync(join(FIXTURES, 'risky-weights-shifted', 'expected.md'), 'utf8')
  assert.equal(r.stdout, expected.replace('`old.yaml`', '`fixtures/diff/risky-weights-shifted/old.yaml`').replace('`new.yaml`', '`fixtures/diff/risky-weights-shifted/new.yaml`'))
})

test('an invalid spec: problems with file:line:col on stderr, exit 2', async (t) => {
  const dir = tempDir(t)
  writeFileSync(join(dir, 'bad.yaml'), 'version: 1\nproviders:\n  - name: x\n    type: opnai\nmodels:\n  - name: m\n    targets: [{ provider: x, model: m }]\n')
  const r = await llmgw(['diff', fixture('safe-model-added', 'old'), 'bad.yaml'], { cwd: dir })
  assert.equal(r.code, 2)
  assert.match(r.stderr, /bad\.yaml:4:11 .*opnai/)
  assert.equal(r.stdout, '')
})

test('a missing file or a missing argument: exit 2', async () => {
  const missing = await inProcess(['no-such-spec.yaml', fixture('safe-model-added', 'old')])
  assert.equal(missing.code, 2)
  assert.match(missing.stderr, /cannot read no-such-spec\.yaml/)
  const usage = await llmgw(['diff', fixture('safe-model-added', 'old')])
  assert.equal(usage.code, 2)
})

test('an unset ${env:X} does not block the diff: compared as a placeholder, said on stderr', async (t) => {
  const dir = tempDir(t)
  const spec = (model: string) =>
    `version: 1\nproviders:\n  - { name: up, type: openai, apiKey: "\${env:LLMGW_TEST_UNSET_KEY}" }\nmodels:\n  - name: ${model}\n    targets: [{ provider: up, model: x }]\n`
  writeFileSync(join(dir, 'a.yaml'), spec('a'))
  writeFileSync(join(dir, 'b.yaml'), spec('b'))
  const env = { ...process.env }
  delete env.LLMGW_TEST_UNSET_KEY
  const r = await inProcess(['a.yaml', 'b.yaml'], { format: 'json' }, { cwd: dir, env })
  assert.equal(r.code, 0, r.stderr)
  assert.match(r.stderr, /placeholders: LLMGW_TEST_UNSET_KEY/)
  const doc = JSON.parse(r.stdout) as { changes: Array<{ path: string }> }
  assert.deepEqual(doc.changes.map((c) => c.path), ['models[a]', 'models[b]'])
})

test('git:REF:path diffs against a committed version; a bad ref or path exits 2', async (t) => {
  try {
    execFileSync('git', ['--version'], { stdio: 'ignore' })
  } catch {
    t.skip('git is not installed')
    return
  }
  const dir = tempDir(t)
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', '-c', 'commit.gpgsign=false', ...args], { cwd: dir, stdio: 'pipe' })
  git('init', '-q')
  copyFileSync(fixture('breaking-key-removed', 'old'), join(dir, 'llmgw.config.yaml'))
  git('add', 'llmgw.config.yaml')
  git('commit', '-q', '-m', 'v1')
  copyFileSync(fixture('breaking-key-removed', 'new'), join(dir, 'llmgw.config.yaml'))

  const r = await llmgw(['diff', '--format', 'json', '--exit-code', 'git:HEAD:llmgw.config.yaml', 'llmgw.config.yaml'], { cwd: dir })
  assert.equal(r.code, 1, r.stderr)
  const doc = JSON.parse(r.stdout) as { old: { file: string }; changes: Array<{ path: string; class: string }> }
  assert.equal(doc.old.file, 'git:HEAD:llmgw.config.yaml')
  assert.deepEqual(doc.changes.map((c) => [c.path, c.class]), [['keys[team-b]', 'breaking']])

  const same = await inProcess(['git:HEAD:llmgw.config.yaml', 'git:HEAD:./llmgw.config.yaml'], { exitCode: true }, { cwd: dir })
  assert.equal(same.code, 0, same.stderr)

  const badRef = await llmgw(['diff', 'git:no-such-ref:llmgw.config.yaml', 'llmgw.config.yaml'], { cwd: dir })
  assert.equal(badRef.code, 2)
  assert.match(badRef.stderr, /git:no-such-ref:llmgw\.config\.yaml: .*no-such-ref/)
  const badPath = await inProcess(['git:HEAD:nope.yaml', 'llmgw.config.yaml'], {}, { cwd: dir })
  assert.equal(badPath.code, 2)
  assert.match(badPath.stderr, /nope\.yaml/)
  const malformed = await inProcess(['git:HEAD', 'llmgw.config.yaml'], {}, { cwd: dir })
  assert.equal(malformed.code, 2)
  assert.match(malformed.stderr, /expected git:REF:path/)
})
