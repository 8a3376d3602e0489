/** The spec a self-hosted bench serves (SPEC §2 `bench`, §3): generated or re-pointed, it must load cleanly with the real loader. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { packageRoot } from '../core/package-root.js'
import { loadSpecFile } from '../spec/load.js'
import { anchorFiles, writeBenchSpec } from './gateway-spec.js'
import { listScenarios, loadScenario, resolveScenario, type Scenario } from './scenario.js'

const MOCK = 'http://127.0.0.1:45678'
// every ${env:NAME} in a template resolves, so the test checks structure, not this machine's environment
const anyEnv = new Proxy({}, {
  get: (_t, k) => (typeof k !== 'string' ? undefined : /URL|ENDPOINT/i.test(k) ? 'http://127.0.0.1:9/v1' : 'test-value-1234567890'),
  has: () => true,
}) as NodeJS.ProcessEnv

function scenarios(): Scenario[] {
  return listScenarios().map((n) => { const r = loadScenario(resolveScenario(n)); assert.ok(r.ok); return r.scenario })
}

test('the generated spec loads: every scenario model, a hashed key for the bearer token, cache where needed', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'llmgw-bench-spec-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const file = writeBenchSpec({ mockUrl: MOCK, scenarios: scenarios(), accessLogFile: join(dir, 'access.log'), dir })
  const r = await loadSpecFile(file, {})
  assert.ok(r.ok, r.ok ? '' : JSON.stringify(r.problems, null, 1))
  const names = r.spec.models.map((m) => m.name).sort()
  assert.deepEqual(names, ['mock-1', 'mock-2', 'mock-3', 'mock-cached', 'mock-embed-1'])
  assert.ok(r.spec.models.find((m) => m.name === 'mock-cached')?.cache, 'cache-hit model has a cache')
  assert.equal(r.spec.providers[0]?.baseUrl, `${MOCK}/v1`)
  assert.equal(r.spec.keys.length, 1)
  assert.equal(r.spec.auth.required, false)
  assert.ok(!JSON.stringify(r.spec).includes('llmgw-bench-key-0001'), 'the key is stored hashed only')
})

test('-c TEMPLATE: every template, re-pointed at the mock, still loads; no provider keeps its own URL or key', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'llmgw-bench-spec-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const templates = readdirSync(join(packageRoot(), 'templates')).filter((f) => /\.ya?ml$/.test(f))
  assert.ok(templates.length > 0)
  for (const tpl of templates) {
    const file = writeBenchSpec({ config: join(packageRoot(), 'templates', tpl), mockUrl: MOCK, scenarios: scenarios(), accessLogFile: join(dir, 'a.log'), dir })
    const r = await loadSpecFile(file, anyEnv)
    assert.ok(r.ok, `${tpl}: ${r.ok ? '' : JSON.stringify(r.problems, null, 1)}`)
    for (const p of r.spec.providers) {
      assert.equal(p.baseUrl, `${MOCK}/v1`, `${tpl}: ${p.name}`)
      assert.equal(p.type, 'openai')
    }
    assert.equal(r.spec.admin?.port, undefined, `${tpl}: admin paths on the main port`)
  }
})

test('-c with a JS spec or an unreadable file is a clear error', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'llmgw-bench-spec-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const o = { mockUrl: MOCK, scenarios: [], accessLogFile: join(dir, 'a.log'), dir }
  assert.throws(() => writeBenchSpec({ ...o, config: 'llmgw.config.ts' }), /needs a YAML or JSON spec/)
  assert.throws(() => writeBenchSpec({ ...o, config: join(dir, 'missing.yaml') }), /cannot read .*missing\.yaml: ENOENT/)
})

test('a -c spec written elsewhere keeps its relative files: wordsFile, plugin modules, publicKeyFile made absolute', () => {
  const spec = {
    rules: [{ type: 'content-filter', wordsFile: './words.txt' }, { type: 'plugin', module: 'plugins/p.mjs' }, { type: 'plugin', module: '/abs/q.mjs' }, { type: 'deny', when: {} }],
    auth: { jwt: { publicKeyFile: 'keys/pub.pem' } },
  }
  const out = anchorFiles(spec, '/home/me/gw') as typeof spec
  assert.deepEqual(out.rules.map((r) => ('wordsFile' in r ? r.wordsFile : 'module' in r ? r.module : r.type)), ['/home/me/gw/words.txt', '/home/me/gw/plugins/p.mjs', '/abs/q.mjs', 'deny'])
  assert.equal(out.auth.jwt.publicKeyFile, '/home/me/gw/keys/pub.pem')
  assert.equal(spec.rules[1]!.module, 'plugins/p.mjs', 'the input is not changed')
})
