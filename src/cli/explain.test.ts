/** `llmgw lint --explain` end to end in a child process (issue 14): the Plan as a tree and as JSON, secrets never printed. */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { packageRoot } from '../core/package-root.js'

const CLI_DIR = dirname(fileURLToPath(import.meta.url))
const MAIN = pathToFileURL(join(CLI_DIR, 'main.js')).href
const COLD_START = pathToFileURL(join(CLI_DIR, 'lint-cold-start.js')).href
const FIXTURE = join(packageRoot(), 'fixtures', 'explain', 'spec.yaml')

/** Every secret the fixture reads from the environment; none may appear in any output. */
const SECRETS = {
  EXPLAIN_ADMIN_TOKEN: 'adm-TOPSECRET-1',
  EXPLAIN_URL_PASSWORD: 'urlpw-TOPSECRET-2',
  EXPLAIN_OPENAI_KEY: 'sk-TOPSECRET-3',
  EXPLAIN_HEADER_VALUE: 'hdr-TOPSECRET-4',
  EXPLAIN_CLIENT_KEY: 'llmgw-TOPSECRET-5',
  EXPLAIN_JWT_SECRET: 'jwt-TOPSECRET-6',
}

function llmgw(args: string[], via: 'main' | 'bundle' = 'main') {
  const code =
    via === 'main'
      ? `const m = await import(${JSON.stringify(MAIN)}); await m.main(['node', 'llmgw', ...process.argv.slice(1)])`
      : // The bundle `llmgw lint` starts from (bin/llmgw.js): exit 99 if it would fall back, so a pass proves the bundle answered.
        `const m = await import(${JSON.stringify(COLD_START)})
const b = m.openLintBundle({ dir: process.env.T_DIR, cacheDir: process.env.T_CACHE, checkInputs: true })
if ('unavailable' in b) { process.stderr.write(b.unavailable); process.exit(99) }
await b.main(['node', 'llmgw', ...process.argv.slice(1)])`
  const cache = mkdtempSync(join(tmpdir(), 'llmgw-explain-cache-'))
  try {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', code, ...args], {
      cwd: packageRoot(),
      encoding: 'utf8',
      env: { ...process.env, ...SECRETS, NO_COLOR: '1', T_DIR: CLI_DIR, T_CACHE: cache },
    })
    return { status: r.status, stdout: r.stdout, stderr: r.stderr }
  } finally {
    rmSync(cache, { recursive: true, force: true })
  }
}

function assertNoSecret(text: string): void {
  for (const [name, value] of Object.entries(SECRETS)) assert.ok(!text.includes(value), `${name} printed`)
  // The fixture's secrets share a marker: a leak through any other path (a partial value) still shows.
  assert.doesNotMatch(text, /TOPSECRET/)
}

test('lint --explain prints the Plan as a tree: every section, protection and per-model stages, no secret', () => {
  const r = llmgw(['lint', '--explain', FIXTURE])
  assert.equal(r.status, 0, r.stderr)
  assertNoSecret(r.stdout + r.stderr)
  for (const section of ['server', 'admin', 'routes', 'auth', 'limits', 'providers', 'rules', 'experiments', 'batching', 'models'])
    assert.match(r.stdout, new RegExp(`^${section}\\b`, 'm'), `section ${section}`)
  assert.match(r.stdout, /^admin on the main port \(token\)/m)
  assert.match(r.stdout, /├─ POST \/v1\/responses\n/)
  assert.match(r.stdout, /key alice {2}key=\[redacted\] models=gpt rpm=10 budget=\$5\/day/)
  assert.match(r.stdout, /jwt HS256 secret=\[redacted\] audience=llmgw/)
  assert.match(r.stdout, /perIp rpm=100\n└─ global rps=50/)
  assert.match(r.stdout, /├─ oa \(openai\) https:\/\/user:\[redacted\]@api\.example\.com\/v1 {2}timeout=30000ms/)
  assert.match(r.stdout, /│ {2}├─ apiKey \[redacted\]\n│ {2}├─ headers x-org \(values redacted\)\n/)
  assert.match(r.stdout, /protection maxInFlight=32 queue=8\/1000ms breaker failureRate=0\.4 minRequests=10/)
  assert.match(r.stdout, /protection maxInFlight=256 queue=1024\/2000ms breaker=off/)
  assert.match(r.stdout, /#0 content-filter mask scope=request,response words=1/)
  assert.match(r.stdout, /#2 deny when header x-tier=free: "upgrade to use this model"/)
  assert.match(r.stdout, /canary on gpt {2}stickyBy=header:x-user {2}rollback maxErrorRate=0\.2/)
  assert.match(r.stdout, /small weight=1 -> sim\/small/)
  assert.match(r.stdout, /embeddings maxBatch=16 maxWait=5ms/)
  // gpt's stages in order: targets, cache, context, rules, pricing, degrade, retry, fallback
  assert.match(
    r.stdout,
    /├─ gpt {2}strategy=weighted\n│ {2}├─ -> oa\/gpt-4o weight=1\n│ {2}├─ -> sim\/echo weight=2\n│ {2}├─ cache ttl=60000ms\n│ {2}├─ context maxInputTokens=1000 drop-oldest\n│ {2}├─ rules #0 #1 #2\n│ {2}├─ pricing input=\$2\.5 output=\$10 per 1M tokens\n│ {2}├─ degrade static "please try again later"\n│ {2}├─ retry attempts=3 backoff=100ms on=\[429, 5xx, timeout, connect\]\n│ {2}└─ fallback cheap\n/,
  )
  assert.match(r.stdout, /└─ cheap {2}strategy=weighted\n {3}├─ -> sim\/small weight=1\n {3}└─ rules #1 #2\n$/, 'the content filter is scoped to gpt')
})

test('lint --explain --format json: the Plan under `plan`, secrets redacted as /admin/config shows them', () => {
  const r = llmgw(['lint', '--explain', '--format', 'json', FIXTURE])
  assert.equal(r.status, 0, r.stderr)
  assertNoSecret(r.stdout + r.stderr)
  const [report] = JSON.parse(r.stdout) as { errorCount: number; plan: Record<string, any> }[]
  assert.equal(report?.errorCount, 0)
  const plan = report!.plan
  assert.deepEqual(plan.models.map((m: { name: string }) => m.name), ['gpt', 'cheap'])
  assert.deepEqual(plan.models[0].chain, ['gpt', 'cheap'])
  assert.equal(plan.admin.token, '[redacted]')
  assert.equal(plan.providers[0].config.apiKey, '[redacted]')
  assert.deepEqual(plan.providers[0].config.headers, { 'x-org': '[redacted]' })
  assert.equal(plan.providers[0].config.baseUrl, 'https://user:[redacted]@api.example.com/v1')
  assert.equal(plan.providers[0].guard.breaker.failureRate, 0.4)
  assert.equal(plan.access.keys[0].key, '[redacted]')
  assert.equal(plan.access.auth.jwt.secret, '[redacted]')
  assert.deepEqual(plan.batching, { embeddings: { maxBatch: 16, maxWaitMs: 5 } })
  assert.equal(plan.experiments[0].name, 'canary')
})

test('lint --explain on an invalid spec: the problems, no Plan, exit 1; without --explain no plan field', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'llmgw-explain-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const bad = join(dir, 'bad.yaml')
  writeFileSync(bad, 'version: 1\nproviders: [{ name: sim, type: mock }]\nmodels: [{ name: m, targets: [{ provider: nope, model: x }] }]\n')
  const tree = llmgw(['lint', '--explain', bad])
  assert.equal(tree.status, 1)
  assert.match(tree.stdout, /unknown provider 'nope'/)
  assert.doesNotMatch(tree.stdout, /^models$/m)
  const json = JSON.parse(llmgw(['lint', '--explain', '--format', 'json', bad]).stdout) as { plan: unknown }[]
  assert.equal(json[0]?.plan, null)
  const plain = JSON.parse(llmgw(['lint', '--format', 'json', FIXTURE]).stdout) as object[]
  assert.ok(!('plan' in plain[0]!))
})

test('the lint bundle (what bin/llmgw.js starts) prints the same Plan', () => {
  const bundled = llmgw(['lint', '--explain', FIXTURE], 'bundle')
  assert.equal(bundled.status, 0, bundled.stderr)
  assert.equal(bundled.stdout, llmgw(['lint', '--explain', FIXTURE]).stdout)
})
