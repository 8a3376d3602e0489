/** Black-box acceptance of reload semantics (SPEC §6): state of unchanged entities carries over, in-flight requests finish on their spec. */
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { startTestGateway, startTestMock } from '../testing/harness.js'

const messages = [{ role: 'user', content: 'hi' }]
const KEY = 'ck-spec-reload-1'

async function setup(t: TestContext, rpm = 2) {
  const mock = await startTestMock({ t, latencyMs: 0 })
  const up = { type: 'openai', baseUrl: `${mock.url}/v1`, apiKey: 'sk-spec-reload-up', timeout: '5s' }
  const spec = (opts: { extraModel?: boolean; rpm?: number } = {}) => ({
    version: 1,
    server: { sseKeepalive: 0 },
    providers: [
      { name: 'up', ...up },
      { name: 'slow', ...up, headers: { 'x-mock-latency': '800ms' } },
      { name: 'down', ...up, headers: { 'x-mock-fail': '500' }, breaker: { failureRate: 0.5, minRequests: 2, window: '10s', cooldown: '30s', halfOpenProbes: 1 } },
    ],
    models: [
      { name: 'plain', targets: [{ provider: 'up', model: 'mock-1' }] },
      { name: 'cached', targets: [{ provider: 'up', model: 'mock-1' }], cache: { ttl: '5m' } },
      { name: 'down', targets: [{ provider: 'down', model: 'mock-1' }], retry: { attempts: 1 } },
      ...(opts.extraModel ? [] : [{ name: 'slow', targets: [{ provider: 'slow', model: 'mock-1' }] }]),
      ...(opts.extraModel ? [{ name: 'extra', targets: [{ provider: 'up', model: 'mock-1' }] }] : []),
    ],
    keys: [{ id: 'k', key: KEY, limits: { rpm: opts.rpm ?? rpm } }],
  })
  const gw = await startTestGateway(spec(), { t })
  const reload = async (next: object): Promise<string> => {
    await writeFile(gw.specFile, JSON.stringify(next))
    const res = await fetch(`${gw.url}/admin/reload`, { method: 'POST' })
    const text = await res.text()
    assert.equal(res.status, 200, text)
    return (JSON.parse(text) as { version: string }).version
  }
  return { gw, mock, spec, reload }
}

const chat = async (url: string, model: string, content = 'hi') => {
  const res = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
    body: JSON.stringify({ model, messages: [{ role: 'user', content }] }),
    signal: AbortSignal.timeout(8000),
  })
  const body = (await res.json()) as { error?: { code: string } }
  return { status: res.status, code: body.error?.code, cache: res.headers.get('x-llmgw-cache') }
}

test('unchanged key: its rate-limit window carries over a reload; a changed key gets its new limit', async (t) => {
  const { gw, spec, reload } = await setup(t)
  assert.equal((await chat(gw.url, 'plain')).status, 200)
  assert.equal((await chat(gw.url, 'plain')).status, 200)
  await reload(spec({ extraModel: true }))
  const after = await chat(gw.url, 'extra')
  assert.equal(after.status, 429, 'the key did not change, so its used-up window carries over')
  assert.equal(after.code, 'rate_limit_exceeded')
  await reload(spec({ extraModel: true, rpm: 100 }))
  assert.equal((await chat(gw.url, 'extra')).status, 200, 'the key changed: the new limit applies')
})

test('cache entries and open breakers of unchanged models/providers carry over; config_info shows only the new version', async (t) => {
  const { gw, spec, reload } = await setup(t, 100)
  assert.equal((await chat(gw.url, 'cached', 'remember me')).cache, 'MISS')
  const codes: Array<string | undefined> = []
  for (let i = 0; i < 3; i++) codes.push((await chat(gw.url, 'down')).code)
  assert.equal(codes.at(-1), 'upstream_unavailable', codes.join(','))
  const v2 = await reload(spec({ extraModel: true }))
  assert.equal((await chat(gw.url, 'cached', 'remember me')).cache, 'HIT')
  assert.equal((await chat(gw.url, 'down')).code, 'upstream_unavailable', 'the breaker is still open')
  const metrics = await (await fetch(`${gw.url}/metrics`)).text()
  const infos = metrics.split('\n').filter((l) => l.startsWith('llmgw_config_info{'))
  assert.deepEqual(infos, [`llmgw_config_info{version="${v2}"} 1`])
})

test('a request in flight finishes on the spec it started with, even when the reload removes its model', async (t) => {
  const { gw, spec, reload } = await setup(t, 100)
  const inflight = chat(gw.url, 'slow')
  await new Promise((r) => setTimeout(r, 200))
  await reload(spec({ extraModel: true }))
  assert.equal((await inflight).status, 200)
  assert.equal((await chat(gw.url, 'slow')).code, 'model_not_found', 'new requests see the new spec')
})
