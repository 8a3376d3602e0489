/** loadSpec and parseSpecText: search, formats, interpolation, defaults, problems with positions (SPEC §2, §3). */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { Secret } from '../core/secret.js'
import { loadSpec } from './load.js'
import { parseSpecText } from './parse.js'

const MINIMAL = `version: 1
providers:
  - { name: sim, type: mock }
models:
  - name: mock-1
    targets: [{ provider: sim, model: mock-1 }]
`

function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'llmgw-load-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

test('nothing found: the embedded default (mock-1, no auth, port 8080) with file undefined', async (t) => {
  const r = await loadSpec({ cwd: tempDir(t), env: {} })
  assert.ok(r.ok)
  assert.equal(r.file, undefined)
  assert.equal(r.spec.server.port, 8080)
  assert.deepEqual(r.spec.models.map((m) => m.name), ['mock-1'])
  assert.equal(r.spec.providers[0]?.type, 'mock')
  assert.equal(r.spec.auth.required, false)
  assert.match(r.version, /^[0-9a-f]{12}$/)
})

test('search finds llmgw.config.yaml and applies SPEC defaults', async (t) => {
  const dir = tempDir(t)
  writeFileSync(join(dir, 'llmgw.config.yaml'), MINIMAL)
  const r = await loadSpec({ cwd: dir, env: {} })
  assert.ok(r.ok, JSON.stringify(r))
  assert.equal(r.file, join(dir, 'llmgw.config.yaml'))
  assert.deepEqual(r.spec.server, { host: '127.0.0.1', port: 8080, maxBodySize: 4 * 1024 * 1024, requestTimeout: 120_000, workers: 1, shutdownGrace: 10_000, sseKeepalive: 15_000 })
  const p = r.spec.providers[0]
  assert.equal(p?.timeout, 60_000)
  assert.deepEqual(p?.queue, { size: 1024, timeout: 2000 })
  assert.equal(r.spec.models[0]?.strategy, 'weighted')
  assert.equal(r.spec.models[0]?.targets[0]?.weight, 1)
  assert.equal(r.spec.state.store, 'memory')
  assert.deepEqual(r.spec.observability.accessLog, { format: 'json', destination: 'stdout' })
})

test('search reads the "llmgw" field of package.json with positions inside it', async (t) => {
  const dir = tempDir(t)
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'app', llmgw: { version: 1, providers: [{ name: 'sim', type: 'mock' }], models: [{ name: 'm', targets: [{ provider: 'simm', model: 'x' }] }] } }, null, 2))
  const r = await loadSpec({ cwd: dir, env: {} })
  assert.equal(r.ok, false)
  assert.ok(!r.ok)
  const p = r.problems.find((x) => x.rule === 'unknown-provider')
  assert.ok(p)
  assert.ok(p.line > 5, `line ${p.line} is inside the llmgw field`)
})

test('explicit .mjs and .json files load; secrets and expires are normalised', async (t) => {
  const dir = tempDir(t)
  const doc = { version: 1, providers: [{ name: 'o', type: 'openai', apiKey: '${env:OPENAI_API_KEY}', timeout: 1000 }], models: [{ name: 'gpt', targets: [{ provider: 'o', model: 'gpt-4o' }] }], keys: [{ id: 'a', key: '${env:KEY_A}', expires: new Date('2027-01-01T00:00:00Z') }] }
  writeFileSync(join(dir, 'spec.mjs'), `export default ${JSON.stringify(doc).replace('"2027-01-01T00:00:00.000Z"', 'new Date("2027-01-01T00:00:00Z")')}`)
  const r = await loadSpec({ file: 'spec.mjs', cwd: dir, env: { OPENAI_API_KEY: 'sk-1', KEY_A: 'k-a' } })
  assert.ok(r.ok, JSON.stringify(r))
  const key = r.spec.providers[0]?.apiKey
  assert.ok(key instanceof Secret)
  assert.equal(key.reveal(), 'sk-1')
  assert.equal(r.spec.keys[0]?.expires, '2027-01-01T00:00:00.000Z')
  assert.equal(r.spec.auth.required, true, 'keys turn auth on by default')
  assert.doesNotMatch(JSON.stringify(r.spec), /sk-1|k-a"/)
  writeFileSync(join(dir, 'spec.json'), JSON.stringify(doc))
  const j = await loadSpec({ file: join(dir, 'spec.json'), env: { OPENAI_API_KEY: 'sk-1', KEY_A: 'k-a' } })
  assert.ok(j.ok, JSON.stringify(j))
})

test('unreadable file and broken modules are problems, not exceptions', async (t) => {
  const dir = tempDir(t)
  const missing = await loadSpec({ file: 'nope.yaml', cwd: dir })
  assert.ok(!missing.ok)
  assert.equal(missing.problems[0]?.rule, 'unreadable-file')
  writeFileSync(join(dir, 'bad.mjs'), 'throw new Error("boom")')
  const bad = await loadSpec({ file: 'bad.mjs', cwd: dir })
  assert.ok(!bad.ok)
  assert.equal(bad.problems[0]?.rule, 'module-error')
  assert.match(bad.problems[0]?.message ?? '', /boom/)
})

test('an empty spec file is reported, not replaced by the default', async (t) => {
  const dir = tempDir(t)
  writeFileSync(join(dir, 'llmgw.config.yaml'), '')
  const r = await loadSpec({ cwd: dir, env: {} })
  assert.ok(!r.ok)
  assert.equal(r.file, join(dir, 'llmgw.config.yaml'))
  assert.match(r.problems[0]?.message ?? '', /empty document/)
})

test('env interpolation: defaults, escapes, and a missing variable named with its field and line', () => {
  const text = `version: 1
server: { host: "\${env:HOST:-0.0.0.0}", port: "\${env:PORT}" }
providers:
  - name: sim
    type: mock
    headers: { x-literal: "$\${env:KEEP}" }
models:
  - { name: m, targets: [{ provider: sim, model: "\${env:MODEL}" }] }
`
  const ok = parseSpecText(text, 'spec.yaml', { PORT: '9000', MODEL: 'mock-1' })
  assert.ok(ok.ok, JSON.stringify(ok))
  assert.equal(ok.spec.server.host, '0.0.0.0')
  assert.equal(ok.spec.server.port, 9000)
  assert.equal(ok.spec.providers[0]?.headers['x-literal'], '${env:KEEP}')
  const bad = parseSpecText(text, 'spec.yaml', { PORT: '9000' })
  assert.ok(!bad.ok)
  assert.deepEqual(bad.problems.map((p) => [p.rule, p.line, p.col]), [['env-missing', 8, 50]])
  assert.match(bad.problems[0]?.message ?? '', /^models\[0\]\.targets\[0\]\.model: environment variable MODEL is not set/)
})

test('auth.required defaults to false without keys or jwt and can be forced', () => {
  const r = parseSpecText(`${MINIMAL}auth: { jwt: { secret: "\${env:JWT_SECRET}" } }\n`, 'spec.yaml', { JWT_SECRET: 's' })
  assert.ok(r.ok, JSON.stringify(r))
  assert.equal(r.spec.auth.required, true)
  assert.equal(r.spec.auth.jwt?.keyClaim, 'sub')
  const open = parseSpecText(MINIMAL, 'spec.yaml', {})
  assert.ok(open.ok)
  assert.equal(open.spec.auth.required, false)
})

test('.ts (via cosmiconfig and typescript), .cjs and extension-less .llmgwrc specs load', async (t) => {
  const dir = tempDir(t)
  const doc = `{ version: 1, providers: [{ name: 'sim', type: 'mock' as const }], models: [{ name: 'm', targets: [{ provider: 'sim', model: 'x' }] }] }`
  writeFileSync(join(dir, 'llmgw.config.ts'), `const spec: { version: number } = ${doc}\nexport default spec\n`)
  const ts = await loadSpec({ cwd: dir, env: {} })
  assert.ok(ts.ok, JSON.stringify(ts))
  assert.equal(ts.file, join(dir, 'llmgw.config.ts'))
  writeFileSync(join(dir, 'spec.cjs'), `module.exports = ${doc.replace(' as const', '')}\n`)
  const cjs = await loadSpec({ file: 'spec.cjs', cwd: dir, env: {} })
  assert.ok(cjs.ok, JSON.stringify(cjs))
  // A reload must see the edited module, not Node's cached copy.
  writeFileSync(join(dir, 'spec.cjs'), `module.exports = ${doc.replace(' as const', '').replace("name: 'm'", "name: 'm2'")}\n`)
  const edited = await loadSpec({ file: 'spec.cjs', cwd: dir, env: {} })
  assert.ok(edited.ok)
  assert.equal(edited.spec.models[0]?.name, 'm2')
  const rc = mkdtempSync(join(tmpdir(), 'llmgw-rc-'))
  t.after(() => rmSync(rc, { recursive: true, force: true }))
  writeFileSync(join(rc, '.llmgwrc'), MINIMAL)
  const r = await loadSpec({ cwd: rc, env: {} })
  assert.ok(r.ok && r.file === join(rc, '.llmgwrc'))
})

test('JSON text: problems still point at their line and column; a key repeated in any object is a duplicate-key problem', () => {
  const spec = {
    version: 1,
    providers: [{ name: 'sim', type: 'mock', mock: { latency: '1ms' } }],
    models: [{ name: 'm "{,}[" \\ x', targets: [{ provider: 'sim', model: 'x' }] }, { name: 'n', targets: [{ provider: 'sim', model: 'x', weight: -1 }] }],
  }
  const text = JSON.stringify(spec, null, 2)
  const bad = parseSpecText(text, 'spec.json', {})
  assert.ok(!bad.ok)
  const weightLine = text.split('\n').findIndex((l) => l.includes('"weight"')) + 1
  assert.deepEqual(bad.problems.map((p) => [p.line, p.rule]), [[weightLine, 'non-positive-weight']], JSON.stringify(bad.problems))
  const good = parseSpecText(text.replace('-1', '1'), 'spec.json', {})
  assert.ok(good.ok, JSON.stringify(good))
  assert.equal(good.spec.models[0]!.name, 'm "{,}[" \\ x')
  // JSON.parse alone would keep the last "latency" and "a"/"\u0061" silently.
  for (const dup of [text.replace('"latency": "1ms"', '"latency": "1ms", "latency": "2ms"'), text.replace('"version": 1', '"version": 1, "\\u0076ersion": 1')]) {
    const r = parseSpecText(dup, 'spec.json', {})
    assert.ok(!r.ok)
    assert.deepEqual(r.problems.map((p) => p.rule), ['duplicate-key'])
  }
  // The same key in two different objects is fine.
  assert.ok(parseSpecText(text.replace('-1', '1').replace('"model": "x"', '"model": "x", "weight": 2'), 'spec.json', {}).ok)
})
