/** Black-box acceptance of the CLI surface (SPEC §2, §3): commands, exit codes, schema, keys, init, lint and diff, run as child processes. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

// The CLI of this very build (dist*/cli/main.js beside dist*/e2e/), run exactly as bin/llmgw.js runs it.
const MAIN = new URL('../cli/main.js', import.meta.url).href
const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const RUNNER = "import(process.argv[1]).then((m) => m.main(['node', 'llmgw', ...process.argv.slice(2)]))"

interface Run { code: number; stdout: string; stderr: string }

function llmgw(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--input-type=module', '-e', RUNNER, MAIN, ...args], { cwd, env: { ...process.env, ...env }, timeout: 20_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0
      resolve({ code, stdout, stderr })
    })
  })
}

async function tempDir(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'llmgw-spec-cli-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  return dir
}

const OK_SPEC = `version: 1
providers:
  - name: sim
    type: mock
models:
  - name: m1
    targets: [{ provider: sim, model: mock-1 }]
`

test('--help lists every SPEC §2 command; --version prints the package version; both exit 0', async () => {
  const [help, version] = await Promise.all([llmgw(['--help'], ROOT), llmgw(['--version'], ROOT)])
  assert.equal(help.code, 0)
  for (const cmd of ['serve', 'lint', 'diff', 'bench', 'profile', 'init', 'mock', 'keys', 'schema']) {
    assert.match(help.stdout, new RegExp(`^\\s+${cmd}\\b`, 'm'), `--help lists ${cmd}`)
  }
  assert.equal(version.code, 0)
  const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string }
  assert.equal(version.stdout.trim(), pkg.version)
})

test('usage errors exit 2 with a message: unknown command, unknown flag, bad choice, missing argument', async () => {
  const runs = await Promise.all([
    llmgw(['frobnicate'], ROOT),
    llmgw(['lint', '--bogus'], ROOT),
    llmgw(['lint', '--format', 'xml'], ROOT),
    llmgw(['diff', 'only-one.yaml'], ROOT),
    llmgw(['keys', 'hash'], ROOT),
    llmgw(['serve', '--port', 'abc'], ROOT),
    llmgw(['serve', '--port', '70000'], ROOT),
  ])
  for (const r of runs) {
    assert.equal(r.code, 2, r.stderr)
    assert.ok(r.stderr.trim().length > 0, 'says what is wrong')
  }
  assert.match(runs[0]!.stderr, /frobnicate/)
  assert.match(runs[1]!.stderr, /--bogus/)
})

test('schema prints the checked-in schemas/llmgw.schema.json; keys hash prints sha256:<hex>', async () => {
  const [schema, hash] = await Promise.all([llmgw(['schema'], ROOT), llmgw(['keys', 'hash', 'abc'], ROOT)])
  assert.equal(schema.code, 0)
  const file = JSON.parse(await readFile(join(ROOT, 'schemas', 'llmgw.schema.json'), 'utf8')) as unknown
  assert.deepEqual(JSON.parse(schema.stdout), file)
  assert.equal(hash.code, 0)
  assert.equal(hash.stdout.trim(), `sha256:${createHash('sha256').update('abc').digest('hex')}`)
})

test('init writes llmgw.config.yaml from each template; exit 1 when it exists, --force overwrites; basic lints clean', async (t) => {
  const dir = await tempDir(t)
  for (const template of ['basic', 'openai', 'multi-provider', 'production']) {
    const sub = join(dir, template)
    await import('node:fs/promises').then((fs) => fs.mkdir(sub))
    const first = await llmgw(['init', '--template', template], sub)
    assert.equal(first.code, 0, first.stderr)
    assert.ok(existsSync(join(sub, 'llmgw.config.yaml')))
    const again = await llmgw(['init', '--template', template], sub)
    assert.equal(again.code, 1)
    assert.match(again.stderr, /exists/)
    await writeFile(join(sub, 'llmgw.config.yaml'), 'scribble')
    const forced = await llmgw(['init', '--template', template, '--force'], sub)
    assert.equal(forced.code, 0)
    assert.notEqual(await readFile(join(sub, 'llmgw.config.yaml'), 'utf8'), 'scribble')
  }
  const lint = await llmgw(['lint'], join(dir, 'basic'))
  assert.equal(lint.code, 0, lint.stdout + lint.stderr)
  const unknown = await llmgw(['init', '--template', 'no-such-template'], dir)
  assert.equal(unknown.code, 2)
  assert.match(unknown.stderr, /basic/)
})

test('lint: clean spec 0; unknown field is an error with file:line:col and rule; json format shape', async (t) => {
  const dir = await tempDir(t)
  await writeFile(join(dir, 'ok.yaml'), OK_SPEC)
  await writeFile(join(dir, 'typo.yaml'), OK_SPEC.replace('    type: mock\n', '    type: mock\n    baseUrll: http://x\n'))
  const [ok, stylish, json] = await Promise.all([
    llmgw(['lint', 'ok.yaml'], dir),
    llmgw(['lint', 'typo.yaml'], dir),
    llmgw(['lint', 'typo.yaml', '--format', 'json'], dir),
  ])
  assert.equal(ok.code, 0, ok.stdout)
  assert.equal(stylish.code, 1)
  assert.match(stylish.stdout, /typo\.yaml/)
  assert.match(stylish.stdout, /typo\.yaml:5:5\s+error\s+.*baseUrll.*unknown-field/, 'each problem line carries file:line:col')
  assert.equal(json.code, 1)
  const files = JSON.parse(json.stdout) as Array<{ file: string; errorCount: number; problems: Array<Record<string, unknown>> }>
  const problem = files[0]!.problems[0]!
  assert.equal(files[0]!.errorCount, 1)
  assert.deepEqual({ line: problem.line, col: problem.col, rule: problem.rule, severity: problem.severity }, { line: 5, col: 5, rule: 'unknown-field', severity: 'error' })
  assert.match(String(problem.file), /typo\.yaml$/)
})

test('lint: a missing env var names the variable and the field; --strict fails on warnings; unreadable file 2; YAML syntax 1', async (t) => {
  const dir = await tempDir(t)
  await writeFile(join(dir, 'env.yaml'), OK_SPEC.replace('    type: mock\n', '    type: openai\n    baseUrl: http://127.0.0.1:1/v1\n    apiKey: ${env:QA_SURELY_UNSET_VAR}\n    timeout: 5s\n'))
  await writeFile(join(dir, 'warn.yaml'), OK_SPEC.replace('models:', '  - name: unused\n    type: mock\nmodels:'))
  await writeFile(join(dir, 'broken.yaml'), 'version: 1\nproviders: [\n')
  await writeFile(join(dir, 'multi.yaml'), OK_SPEC + '---\nversion: 2\n')
  const env = { QA_SURELY_UNSET_VAR: undefined } as unknown as NodeJS.ProcessEnv
  const [missing, warn, strict, unreadable, broken, multi] = await Promise.all([
    llmgw(['lint', 'env.yaml'], dir, env),
    llmgw(['lint', 'warn.yaml'], dir),
    llmgw(['lint', 'warn.yaml', '--strict'], dir),
    llmgw(['lint', 'does-not-exist.yaml'], dir),
    llmgw(['lint', 'broken.yaml'], dir),
    llmgw(['lint', 'multi.yaml'], dir),
  ])
  assert.equal(missing.code, 1)
  assert.match(missing.stdout, /QA_SURELY_UNSET_VAR/)
  assert.match(missing.stdout, /providers\[0\]\.apiKey/)
  assert.equal(warn.code, 0)
  assert.match(warn.stdout, /warning/)
  assert.equal(strict.code, 1)
  assert.equal(unreadable.code, 2)
  assert.equal(broken.code, 1)
  assert.match(broken.stdout, /broken\.yaml/)
  assert.equal(multi.code, 1)
  assert.match(multi.stdout, /one YAML document/, 'a second document gets a user message, not library advice')
})

const DIFF_SPEC = `version: 1
providers:
  - name: up
    type: openai
    baseUrl: http://127.0.0.1:1/v1
    apiKey: \${env:QA_DIFF_UP}
    timeout: 5s
models:
  - name: m1
    targets: [{ provider: up, model: gpt-x }]
keys:
  - id: a
    key: \${env:QA_DIFF_CLIENT}
`

test('diff: 0 by default, --exit-code 1 when different and 0 when same, json/markdown, invalid spec 2, secrets never shown', async (t) => {
  const dir = await tempDir(t)
  await writeFile(join(dir, 'a.yaml'), DIFF_SPEC)
  await writeFile(join(dir, 'b.yaml'), DIFF_SPEC.replace('gpt-x', 'gpt-y').replace('QA_DIFF_CLIENT', 'QA_DIFF_CLIENT2'))
  await writeFile(join(dir, 'bad.yaml'), 'version: 1\nproviders: []\nmodels: []\nfoo: 1\n')
  const env = { QA_DIFF_UP: 'sk-qa-upstream-aaaa1111', QA_DIFF_CLIENT: 'ck-qa-client-bbbb2222', QA_DIFF_CLIENT2: 'ck-qa-client-cccc3333' }
  const [same, sameExit, table, differ, json, md, invalid] = await Promise.all([
    llmgw(['diff', 'a.yaml', 'a.yaml'], dir, env),
    llmgw(['diff', 'a.yaml', 'a.yaml', '--exit-code'], dir, env),
    llmgw(['diff', 'a.yaml', 'b.yaml'], dir, env),
    llmgw(['diff', 'a.yaml', 'b.yaml', '--exit-code'], dir, env),
    llmgw(['diff', 'a.yaml', 'b.yaml', '--format', 'json'], dir, env),
    llmgw(['diff', 'a.yaml', 'b.yaml', '--format', 'markdown'], dir, env),
    llmgw(['diff', 'a.yaml', 'bad.yaml'], dir, env),
  ])
  assert.equal(same.code, 0)
  assert.equal(sameExit.code, 0)
  assert.equal(table.code, 0)
  assert.equal(differ.code, 1)
  assert.equal(json.code, 0)
  const doc = JSON.parse(json.stdout) as { changes: Array<{ path: string; class: string }> }
  const paths = doc.changes.map((c) => c.path)
  assert.ok(paths.some((p) => p.includes('gpt-y')), paths.join(', '))
  assert.ok(paths.some((p) => p.startsWith('keys[a]')), 'a rotated key is a change clients notice')
  assert.equal(md.code, 0)
  assert.match(md.stdout, /\|/)
  assert.equal(invalid.code, 2)
  assert.match(invalid.stderr, /foo/)
  for (const r of [table, differ, json, md]) {
    for (const secret of Object.values(env)) assert.ok(!(r.stdout + r.stderr).includes(secret), `diff output shows a secret`)
  }
})
