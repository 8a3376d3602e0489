/** Admin surface (SPEC §4): /healthz, /readyz, /admin/config redacted, /admin/reload swaps or keeps the old spec, admin.port. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { startTestGateway } from '../testing/harness.js'

const spec = (models: string[]) =>
  JSON.stringify({
    version: 1,
    providers: [{ name: 'sim', type: 'mock' }],
    models: models.map((name) => ({ name, targets: [{ provider: 'sim', model: 'mock-1' }] })),
  })

const chat = (url: string, model: string) =>
  fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
  })

test('POST /admin/reload swaps in a valid spec and keeps the old one on problems', async (t) => {
  const gw = await startTestGateway(JSON.parse(spec(['a'])), { t })
  assert.equal((await fetch(`${gw.url}/healthz`)).status, 200)
  assert.equal((await fetch(`${gw.url}/readyz`)).status, 200)
  assert.equal((await chat(gw.url, 'b')).status, 404)
  await writeFile(gw.specFile, spec(['a', 'b']))
  const ok = await fetch(`${gw.url}/admin/reload`, { method: 'POST' })
  assert.equal(ok.status, 200)
  const okBody = (await ok.json()) as { version: string }
  assert.equal(okBody.version, gw.app.version)
  assert.equal((await chat(gw.url, 'b')).status, 200)

  await writeFile(gw.specFile, '{"version": 1, "providers": [], "models": [{"name": "c"}]}')
  const bad = await fetch(`${gw.url}/admin/reload`, { method: 'POST' })
  assert.equal(bad.status, 400)
  const badBody = (await bad.json()) as { problems: Array<{ line: number; rule: string }> }
  assert.ok(badBody.problems.length > 0)
  assert.equal((await chat(gw.url, 'b')).status, 200, 'the old spec keeps serving')
})

test('admin.port serves admin paths apart from traffic; admin.token guards /admin/*; secrets are redacted', async (t) => {
  const gw = await startTestGateway(
    {
      version: 1,
      admin: { port: 0, token: 'admin-tok' },
      providers: [{ name: 'up', type: 'openai', baseUrl: 'http://127.0.0.1:9/v1', apiKey: 'sk-do-not-show' }],
      models: [{ name: 'a', targets: [{ provider: 'up', model: 'x' }] }],
    },
    { t },
  )
  assert.ok(gw.adminUrl)
  assert.equal((await fetch(`${gw.url}/admin/config`)).status, 404, 'not on the main port')
  assert.equal((await fetch(`${gw.adminUrl}/admin/config`)).status, 401)
  const cfg = await fetch(`${gw.adminUrl}/admin/config`, { headers: { authorization: 'Bearer admin-tok' } })
  assert.equal(cfg.status, 200)
  const text = await cfg.text()
  assert.doesNotMatch(text, /sk-do-not-show|admin-tok/)
  assert.equal((JSON.parse(text) as { version: string }).version, gw.app.version)
  assert.equal((await fetch(`${gw.adminUrl}/healthz`)).status, 200)
})

test('GET /metrics serves Prometheus text that moves with traffic', async (t) => {
  const gw = await startTestGateway(JSON.parse(spec(['a'])), { t })
  assert.equal((await chat(gw.url, 'a')).status, 200)
  const res = await fetch(`${gw.url}/metrics`)
  assert.equal(res.status, 200)
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain/)
  const text = await res.text()
  assert.match(text, /llmgw_requests_total\{[^}]*model="a"[^}]*\} 1/)
  assert.match(text, new RegExp(`llmgw_config_info\\{version="${gw.app.version}"\\} 1`))
})
