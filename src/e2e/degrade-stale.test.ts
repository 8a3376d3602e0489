/**
 * models[].degrade.stale (issue 12 part 4): once the upstream is gone and the cached answer has expired, the same
 * request gets that answer again (stream or not, the bytes recorded), marked x-llmgw-degraded: stale; a request never
 * seen gets the static message (when set) or the SPEC error; past staleFor nothing is left; llmgw_degraded_total counts
 * both modes. With state.store: redis a replica that never saw the request finds the stale answer in Redis.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { Redis } from 'ioredis'
import OpenAI from 'openai'
import { startMockServer } from '../mock/server.js'
import { startTestGateway } from '../testing/harness.js'
import { PRIVATE_REDIS_SKIP, privateRedis, TEST_COMMAND_TIMEOUT } from '../testing/redis.js'
import { until } from '../testing/until.js'

const MESSAGE = 'The assistant is busy; please try again in a minute.'
const TTL_MS = 300
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const ask = (content: string) => [{ role: 'user' as const, content }]

async function streamed(client: OpenAI, model: string, content: string): Promise<{ text: string; id: string; headers: Headers }> {
  const r = await client.chat.completions.create({ model, messages: ask(content), stream: true }).withResponse()
  let text = ''
  let id = ''
  for await (const c of r.data) {
    id ||= c.id
    text += c.choices[0]?.delta.content ?? ''
  }
  return { text, id, headers: r.response.headers }
}

test('upstream down, entry expired: the stale answer, stream or not; unseen requests get static or the SPEC error; metric counts', async (t) => {
  const mock = await startMockServer({ host: '127.0.0.1', port: 0, latencyMs: 0 })
  let mockOpen = true
  t.after(() => (mockOpen ? mock.close() : undefined))
  const gw = await startTestGateway(
    {
      version: 1,
      server: { sseKeepalive: 0 },
      providers: [{ name: 'up', type: 'openai', baseUrl: `${mock.url}/v1`, apiKey: 'sk-x', timeout: '2s' }],
      models: [
        { name: 'm', targets: [{ provider: 'up', model: 'x' }], cache: { ttl: `${TTL_MS}ms` }, degrade: { stale: true, staleFor: '1m', message: MESSAGE } },
        { name: 'only-stale', targets: [{ provider: 'up', model: 'x' }], cache: { ttl: `${TTL_MS}ms` }, degrade: { stale: true, staleFor: '300ms' } },
      ],
    },
    { t },
  )
  const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'unused', maxRetries: 0 })

  // while the upstream answers: a MISS stored, then a HIT
  const fresh = await client.chat.completions.create({ model: 'm', messages: ask('plain') }).withResponse()
  assert.equal(fresh.response.headers.get('x-llmgw-cache'), 'MISS')
  const hit = await client.chat.completions.create({ model: 'm', messages: ask('plain') }).withResponse()
  assert.equal(hit.response.headers.get('x-llmgw-cache'), 'HIT')
  const freshStream = await streamed(client, 'm', 'streamed')
  assert.ok(freshStream.text.length > 0)
  assert.equal(freshStream.headers.get('x-llmgw-cache'), 'MISS')
  await client.chat.completions.create({ model: 'only-stale', messages: ask('short-lived') })

  await mock.close()
  mockOpen = false
  await sleep(TTL_MS * 2) // every entry is past its ttl (a lower bound, not a timing assertion)

  for (let i = 0; i < 2; i++) {
    const r = await client.chat.completions.create({ model: 'm', messages: ask('plain') }).withResponse()
    assert.equal(r.response.headers.get('x-llmgw-degraded'), 'stale')
    assert.equal(r.response.headers.get('x-llmgw-provider'), 'degraded')
    assert.equal(r.response.headers.get('x-llmgw-cache'), 'MISS', 'the fresh lookup missed: the answer is expired')
    assert.equal(r.data.id, fresh.data.id, 'the very answer recorded before')
    assert.equal(r.data.choices[0]!.message.content, fresh.data.choices[0]!.message.content)
  }
  const stale = await streamed(client, 'm', 'streamed')
  assert.equal(stale.headers.get('x-llmgw-degraded'), 'stale')
  assert.match(stale.headers.get('content-type') ?? '', /^text\/event-stream/)
  assert.equal(stale.id, freshStream.id)
  assert.equal(stale.text, freshStream.text)

  // never seen: the static answer where one is set, else the SPEC error
  const unseen = await client.chat.completions.create({ model: 'm', messages: ask('never asked') }).withResponse()
  assert.equal(unseen.data.choices[0]!.message.content, MESSAGE)
  assert.equal(unseen.response.headers.get('x-llmgw-degraded'), 'static')
  const unseenStream = await streamed(client, 'm', 'never asked, streamed')
  assert.equal(unseenStream.text, MESSAGE)
  await assert.rejects(client.chat.completions.create({ model: 'only-stale', messages: ask('never asked') }), (e: unknown) => {
    assert.ok(e instanceof OpenAI.APIError && e.status === 502, String(e))
    assert.equal((e.error as { code?: string }).code, 'upstream_error', 'SPEC §4: failed after retries and fallbacks')
    assert.equal(e.headers?.get('x-llmgw-degraded') ?? null, null)
    return true
  })
  // past ttl + staleFor the entry is gone: the error again
  await assert.rejects(client.chat.completions.create({ model: 'only-stale', messages: ask('short-lived') }), (e: unknown) => e instanceof OpenAI.APIError && e.status === 502)

  const metrics = await (await fetch(`${gw.url}/metrics`)).text()
  assert.match(metrics, /^llmgw_degraded_total\{model="m",mode="stale"\} 3$/m)
  assert.match(metrics, /^llmgw_degraded_total\{model="m",mode="static"\} 2$/m)
  assert.doesNotMatch(metrics, /^llmgw_degraded_total\{model="only-stale"/m, 'errors are not degraded answers')
  assert.match(metrics, /^llmgw_requests_total\{[^}]*model="m"[^}]*provider="degraded"[^}]*status="200"[^}]*\} 5$/m)
})

test('state.store redis: a replica that never saw the request answers it stale from Redis (ttl extended by staleFor)', { skip: PRIVATE_REDIS_SKIP }, async (t) => {
  const server = await privateRedis(t)
  const mock = await startMockServer({ host: '127.0.0.1', port: 0, latencyMs: 0 })
  let mockOpen = true
  t.after(() => (mockOpen ? mock.close() : undefined))
  const prefix = `s${randomUUID()}:`
  const spec = {
    version: 1,
    providers: [{ name: 'up', type: 'openai', baseUrl: `${mock.url}/v1`, apiKey: 'sk-x', timeout: '2s' }],
    models: [{ name: 'm', targets: [{ provider: 'up', model: 'x' }], cache: { ttl: `${TTL_MS}ms` }, degrade: { stale: true, staleFor: '1m' } }],
    state: { store: 'redis', redis: { url: server.url, prefix, commandTimeout: TEST_COMMAND_TIMEOUT } },
  }
  const a = await startTestGateway(spec, { t })
  const b = await startTestGateway(spec, { t })
  const onA = new OpenAI({ baseURL: `${a.url}/v1`, apiKey: 'unused', maxRetries: 0 })
  const onB = new OpenAI({ baseURL: `${b.url}/v1`, apiKey: 'unused', maxRetries: 0 })
  const first = await onA.chat.completions.create({ model: 'm', messages: ask('shared') })
  const peer = new Redis(server.url)
  t.after(() => peer.disconnect())
  await until('the entry is in redis', async () => (await peer.keys(`${prefix}cache:*`)).length === 1)
  const [key] = await peer.keys(`${prefix}cache:*`)
  assert.ok((await peer.pttl(key!)) > TTL_MS, 'kept past its ttl for stale answers')

  await mock.close()
  mockOpen = false
  await sleep(TTL_MS * 2)
  const r = await onB.chat.completions.create({ model: 'm', messages: ask('shared') }).withResponse()
  assert.equal(r.response.headers.get('x-llmgw-degraded'), 'stale')
  assert.equal(r.data.id, first.id)
  await assert.rejects(onB.chat.completions.create({ model: 'm', messages: ask('not shared') }), (e: unknown) => e instanceof OpenAI.APIError && e.status === 502)
})

test('a stream whose keepalive comments already went out gets the stale events after them (upstream timing out)', async (t) => {
  const mock = await startMockServer({ host: '127.0.0.1', port: 0, latencyMs: 0 })
  t.after(() => mock.close())
  const gw = await startTestGateway(
    {
      version: 1,
      server: { sseKeepalive: '50ms' },
      providers: [{ name: 'up', type: 'openai', baseUrl: `${mock.url}/v1`, apiKey: 'sk-x', timeout: '600ms' }],
      models: [{ name: 'm', targets: [{ provider: 'up', model: 'x' }], cache: { ttl: `${TTL_MS}ms` }, degrade: { stale: true } }],
    },
    { t, compileDeps: { forwardHeaders: ['x-mock-latency'] } },
  )
  const body = JSON.stringify({ model: 'm', messages: ask('slow later'), stream: true })
  const post = (headers: Record<string, string> = {}) => fetch(`${gw.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body })
  const fresh = await (await post()).text()
  assert.match(fresh, /data: \[DONE\]/)
  await sleep(TTL_MS * 2)
  // the upstream now waits longer than the attempt timeout: keepalive comments go out meanwhile, then the timeout
  const r = await post({ 'x-mock-latency': '5s' })
  assert.equal(r.status, 200)
  const text = await r.text()
  assert.ok(text.startsWith(':'), 'keepalive comments came first (the headers were out before the stale answer)')
  assert.ok(text.endsWith(fresh), 'then the recorded events, whole')
  assert.doesNotMatch(text, /upstream_timeout/)
})
