/** Black-box acceptance of the admin surface (SPEC §4, §5, §6): health, readiness, metric names, admin.token, redaction, reload, hot reload. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { rename, writeFile } from 'node:fs/promises'
import { startTestGateway } from '../testing/harness.js'
import { until } from '../testing/until.js'

const ADMIN_TOKEN = 'adm-spec-admin-token-1'
const UPSTREAM_KEY = 'sk-spec-admin-upstream-2'
const CLIENT_KEY = 'ck-spec-admin-client-3'
const URL_PASS = 'spec-admin-url-pass-4'
const SECRETS = [ADMIN_TOKEN, UPSTREAM_KEY, CLIENT_KEY, URL_PASS]

const METRICS = [
  'llmgw_requests_total', 'llmgw_request_duration_seconds', 'llmgw_upstream_ttft_seconds', 'llmgw_tokens_total',
  'llmgw_cost_usd_total', 'llmgw_cache_requests_total', 'llmgw_ratelimit_rejections_total', 'llmgw_breaker_state',
  'llmgw_inflight_requests', 'llmgw_config_reloads_total', 'llmgw_config_info',
]

const spec = (models: string[], extra: object = {}) => ({
  version: 1,
  server: { sseKeepalive: 0 },
  providers: [{ name: 'sim', type: 'mock', mock: { latency: '1ms' } }],
  models: models.map((name) => ({ name, targets: [{ provider: 'sim', model: 'mock-1' }], pricing: { input: 1, output: 2 } })),
  ...extra,
})

const chat = (url: string, model: string, headers: Record<string, string> = {}) =>
  fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
    signal: AbortSignal.timeout(8000),
  })

async function modelIds(url: string, headers: Record<string, string> = {}): Promise<string[]> {
  const res = await fetch(`${url}/v1/models`, { headers, signal: AbortSignal.timeout(8000) })
  return ((await res.json()) as { data: Array<{ id: string }> }).data.map((m) => m.id).sort()
}


test('/healthz 200 ok, /readyz 200; /metrics has every SPEC §5 metric name and moves with traffic', async (t) => {
  const gw = await startTestGateway(spec(['a']), { t })
  const health = await fetch(`${gw.url}/healthz`)
  assert.equal(health.status, 200)
  assert.equal((await health.text()).trim(), 'ok')
  assert.equal((await fetch(`${gw.url}/readyz`)).status, 200)
  assert.equal((await chat(gw.url, 'a')).status, 200)
  const res = await fetch(`${gw.url}/metrics`)
  assert.equal(res.status, 200)
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain/)
  const text = await res.text()
  for (const name of METRICS) assert.match(text, new RegExp(`^# TYPE ${name} `, 'm'), `metric ${name}`)
  assert.match(text, /^# TYPE llmgw_request_duration_seconds histogram/m)
  assert.match(text, /^# TYPE llmgw_upstream_ttft_seconds histogram/m)
  assert.match(text, /^llmgw_requests_total\{(?=[^}]*model="a")(?=[^}]*provider="sim")(?=[^}]*status="200")[^}]*\} 1$/m)
  assert.match(text, /^llmgw_tokens_total\{(?=[^}]*model="a")(?=[^}]*direction="input")[^}]*\} [1-9]/m)
  assert.match(text, /^llmgw_tokens_total\{(?=[^}]*model="a")(?=[^}]*direction="output")[^}]*\} [1-9]/m)
  assert.match(text, /^llmgw_cost_usd_total\{(?=[^}]*model="a")[^}]*\} [0-9.e-]+$/m)
  assert.match(text, /^llmgw_breaker_state\{provider="sim"\} 0$/m)
  assert.match(text, /^llmgw_inflight_requests 0$/m)
  assert.match(text, new RegExp(`^llmgw_config_info\\{version="${gw.app.version}"\\} 1$`, 'm'))
})

test('admin.token guards /admin/* (401 OpenAI-shaped); /admin/config redacts secrets (keys, header values, URL passwords) and carries the version hash', async (t) => {
  const gw = await startTestGateway(
    spec(['a'], {
      admin: { token: '${env:QA_ADMIN_TOKEN}' },
      providers: [
        { name: 'sim', type: 'mock', mock: { latency: '1ms' } },
        {
          name: 'up', type: 'openai', baseUrl: 'http://qa:${env:QA_URL_PASS}@127.0.0.1:9/v1', apiKey: '${env:QA_UPSTREAM_KEY}', timeout: '1s',
          headers: { authorization: 'Bearer ${env:QA_UPSTREAM_KEY}', 'x-api-key': '${env:QA_UPSTREAM_KEY}' },
        },
      ],
      models: [
        { name: 'a', targets: [{ provider: 'sim', model: 'mock-1' }] },
        { name: 'b', targets: [{ provider: 'up', model: 'x' }] },
      ],
      keys: [{ id: 'team', key: '${env:QA_CLIENT_KEY}' }],
    }),
    { t, env: { ...process.env, QA_ADMIN_TOKEN: ADMIN_TOKEN, QA_UPSTREAM_KEY: UPSTREAM_KEY, QA_CLIENT_KEY: CLIENT_KEY, QA_URL_PASS: URL_PASS } },
  )
  for (const headers of [{}, { authorization: 'Bearer wrong' }] as Array<Record<string, string>>) {
    for (const [method, path] of [['GET', '/admin/config'], ['POST', '/admin/reload']] as const) {
      const res = await fetch(`${gw.url}${path}`, { method, headers })
      assert.equal(res.status, 401, `${method} ${path}`)
      const body = (await res.json()) as { error: Record<string, unknown> }
      assert.deepEqual(Object.keys(body.error).sort(), ['code', 'message', 'param', 'type'])
    }
  }
  const res = await fetch(`${gw.url}/admin/config`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })
  assert.equal(res.status, 200)
  const text = await res.text()
  for (const s of SECRETS) assert.ok(!text.includes(s), 'a secret shows in /admin/config')
  const cfg = JSON.parse(text) as { version: string; spec: { models: Array<{ name: string }> } }
  assert.equal(cfg.version, gw.app.version)
  assert.deepEqual(cfg.spec.models.map((m) => m.name), ['a', 'b'])
  const metrics = await (await fetch(`${gw.url}/metrics`)).text()
  for (const s of SECRETS) assert.ok(!metrics.includes(s), 'a secret shows in /metrics')
  const failed = await (await chat(gw.url, 'b', { authorization: `Bearer ${CLIENT_KEY}` })).text()
  for (const s of SECRETS) assert.ok(!failed.includes(s), 'a secret shows in an upstream error')
})

test('POST /admin/reload: 200 with the new version; 400 with problems keeps the old spec; reload counters move', async (t) => {
  const gw = await startTestGateway(spec(['a']), { t })
  const v1 = gw.app.version
  await writeFile(gw.specFile, JSON.stringify(spec(['a', 'b'])))
  const ok = await fetch(`${gw.url}/admin/reload`, { method: 'POST' })
  assert.equal(ok.status, 200)
  const v2 = ((await ok.json()) as { version: string }).version
  assert.equal(typeof v2, 'string')
  assert.notEqual(v2, v1)
  assert.deepEqual(await modelIds(gw.url), ['a', 'b'])
  const cfg = (await (await fetch(`${gw.url}/admin/config`)).json()) as { version: string }
  assert.equal(cfg.version, v2)

  await writeFile(gw.specFile, JSON.stringify({ ...spec(['c']), unknownTopLevel: true }))
  const bad = await fetch(`${gw.url}/admin/reload`, { method: 'POST' })
  assert.equal(bad.status, 400)
  const badText = await bad.text()
  assert.match(badText, /unknownTopLevel/)
  assert.deepEqual(await modelIds(gw.url), ['a', 'b'], 'the old spec keeps serving')
  assert.equal((await chat(gw.url, 'b')).status, 200)
  const metrics = await (await fetch(`${gw.url}/metrics`)).text()
  assert.match(metrics, /^llmgw_config_reloads_total\{result="ok"\} [1-9]/m)
  assert.match(metrics, /^llmgw_config_reloads_total\{result="error"\} [1-9]/m)
  assert.match(metrics, new RegExp(`^llmgw_config_info\\{version="${v2}"\\} 1$`, 'm'))
})

test('hot reload (SPEC §6): an edited file and an atomic rename are picked up; an invalid edit keeps the old spec', async (t) => {
  const gw = await startTestGateway(spec(['a']), { t, watch: true })
  await writeFile(gw.specFile, JSON.stringify(spec(['a', 'b'])))
  await until('the edit', async () => (await modelIds(gw.url)).includes('b'))
  const tmp = `${gw.specFile}.tmp`
  await writeFile(tmp, JSON.stringify(spec(['c'])))
  await rename(tmp, gw.specFile)
  await until('the atomic rename', async () => (await modelIds(gw.url)).join() === 'c')
  await writeFile(gw.specFile, '{"version": 1, "providers": [], "models": ')
  await until('the failed reload to be counted', async () => /^llmgw_config_reloads_total\{result="error"\} [1-9]/m.test(await (await fetch(`${gw.url}/metrics`)).text()))
  assert.deepEqual(await modelIds(gw.url), ['c'])
  assert.equal((await chat(gw.url, 'c')).status, 200)
})

test('/admin/config says how the process runs beside the spec: the port it listens on (flags win) and what waits for a restart', async (t) => {
  const gw = await startTestGateway(spec(['a']), { t })
  type Config = { spec: { server: { port: number } }; running: { host: string; port: number; restartNeeded: string[] } }
  const first = (await (await fetch(`${gw.url}/admin/config`)).json()) as Config
  assert.deepEqual([first.running.host, first.running.port, first.running.restartNeeded], ['127.0.0.1', gw.port, []])
  assert.notEqual(first.spec.server.port, gw.port, 'the spec says 8080; the test started it on a free port')
  await writeFile(gw.specFile, JSON.stringify(spec(['a', 'b'], { server: { port: 9999 }, observability: { metrics: false } })))
  assert.equal((await fetch(`${gw.url}/admin/reload`, { method: 'POST' })).status, 200)
  const after = (await (await fetch(`${gw.url}/admin/config`)).json()) as Config
  assert.deepEqual(after.running.restartNeeded, ['server.port', 'observability'])
  assert.equal(after.running.port, gw.port)
  assert.deepEqual(await modelIds(gw.url), ['a', 'b'], 'the rest of the new spec is live')
})
