/** /metrics wiring (SPEC §5): rate-limit rejections by scope, breaker state per provider, dashboard provider rows. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startApp } from '../app/start.js'
import { startTestGateway, startTestMock } from '../testing/harness.js'

const chat = (url: string, model: string, headers: Record<string, string> = {}) =>
  fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
  })

const scrape = async (url: string): Promise<string> => (await fetch(`${url}/metrics`)).text()

test('a key with rpm 2: the third call is 429 and llmgw_ratelimit_rejections_total{scope="key"} is 1', async (t) => {
  const gw = await startTestGateway(
    {
      version: 1,
      providers: [{ name: 'sim', type: 'mock', mock: { latency: '1ms' } }],
      models: [{ name: 'm', targets: [{ provider: 'sim', model: 'mock-1' }] }],
      keys: [{ id: 'k', key: 'client-key-123', limits: { rpm: 2 } }],
    },
    { t },
  )
  const auth = { authorization: 'Bearer client-key-123' }
  const statuses: number[] = []
  for (let i = 0; i < 3; i++) {
    const r = await chat(gw.url, 'm', auth)
    statuses.push(r.status)
    await r.arrayBuffer()
  }
  assert.deepEqual(statuses, [200, 200, 429])
  const text = await scrape(gw.url)
  assert.match(text, /^llmgw_ratelimit_rejections_total\{scope="key"\} 1$/m)
  assert.match(text, /^llmgw_breaker_state\{provider="sim"\} 0$/m, 'every provider starts closed')
})

test('an open breaker shows llmgw_breaker_state 1 and the dashboard provider row says open', async (t) => {
  const mock = await startTestMock({ t, latencyMs: 0 })
  const gw = await startTestGateway(
    {
      version: 1,
      providers: [
        { name: 'fail', type: 'openai', baseUrl: `${mock.url}/v1`, headers: { 'x-mock-fail': '500' }, breaker: { failureRate: 0.5, minRequests: 2, window: '10s', cooldown: '30s' } },
      ],
      models: [{ name: 'm', targets: [{ provider: 'fail', model: 'x' }], retry: { attempts: 1 } }],
    },
    { t },
  )
  const statuses: number[] = []
  for (let i = 0; i < 3; i++) {
    const r = await chat(gw.url, 'm')
    statuses.push(r.status)
    await r.arrayBuffer()
  }
  assert.equal(statuses[2], 503, `statuses ${statuses.join(',')}`)
  assert.match(await scrape(gw.url), /^llmgw_breaker_state\{provider="fail"\} 1$/m)
})

test('the dashboard snapshot lists each provider with its breaker, queue and in-flight state', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'llmgw-dash-'))
  const file = join(dir, 'spec.json')
  await writeFile(file, JSON.stringify({ version: 1, providers: [{ name: 'sim', type: 'mock' }, { name: 'sim2', type: 'mock' }], models: [{ name: 'm', targets: [{ provider: 'sim', model: 'mock-1' }] }] }))
  const app = await startApp({ file, host: '127.0.0.1', port: 0, watch: false, dashboard: true, accessLog: false, cwd: dir })
  t.after(async () => {
    await app.shutdown()
    await rm(dir, { recursive: true, force: true })
  })
  const rows = app.observe?.snapshot?.read().providers ?? []
  assert.deepEqual(rows.map((r) => [r.name, r.breaker, r.queueDepth, r.inflight]), [['sim', 'closed', 0, 0], ['sim2', 'closed', 0, 0]])
})
