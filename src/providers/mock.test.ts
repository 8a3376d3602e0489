/** `type: mock` in-process: the same bytes as `llmgw mock`, latency/fail rate honoured, abort stops generation at once. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { request } from 'undici'
import { GatewayError } from '../core/errors.js'
import { startMockServer } from '../mock/server.js'
import { createProviderClient } from './index.js'
import type { AttemptSink, UpstreamCall } from './types.js'
import { recordingSink, upstreamCall } from '../testing/upstream-call.js'
import type { ProviderConfig } from './config.js'

const mockCfg = (mock?: ProviderConfig['mock']): ProviderConfig => ({ name: 'sim', type: 'mock', baseUrl: '', apiKey: undefined, headers: {}, timeoutMs: 5000, connections: 1, ...(mock ? { mock } : {}) })
const chat = { model: 'mock-1', messages: [{ role: 'system', content: 'S' }, { role: 'user', content: 'hello mock' }] }
const call = (o: Partial<UpstreamCall> = {}): UpstreamCall => upstreamCall(chat, o)
const memorySink = recordingSink
// `created` (and the id derived from it) is the clock: the only bytes allowed to differ
const normalise = (s: string) => s.replace(/"created":\d+/g, '"created":0').replace(/"(chatcmpl|msg)[-_]?mock[-_]?[0-9a-f]+"/g, '"ID"')

test('the same bytes as the standalone mock: chat JSON, chat SSE with usage, Anthropic SSE', async (t) => {
  const m = await startMockServer({})
  t.after(() => m.close())
  const c = createProviderClient(mockCfg())
  const cases: Array<[Partial<UpstreamCall>, string, Record<string, unknown>]> = [
    [{}, '/v1/chat/completions', chat],
    [{ stream: true, clientWantsUsage: true }, '/v1/chat/completions', { ...chat, stream: true, stream_options: { include_usage: true } }],
    [{ stream: true, endpoint: 'messages', clientFormat: 'anthropic' }, '/v1/messages', { model: 'mock-1', system: 'S', max_tokens: 100, stream: true, messages: [{ role: 'user', content: 'hello mock' }] }],
  ]
  for (const [o, path, body] of cases) {
    const sink = memorySink()
    await c.call(call(o), sink)
    const direct = await request(`${m.url}${path}`, { method: 'POST', body: JSON.stringify(body) }).then((r) => r.body.text())
    assert.equal(normalise(sink.parts.join('')), normalise(direct), path)
  }
})

test('usage and model are reported; usage chunk only when the client asked', async () => {
  const c = createProviderClient(mockCfg())
  const sink = memorySink()
  const r = await c.call(call({ stream: true }), sink)
  assert.equal(r.usage?.completion_tokens, 20)
  assert.equal(r.model, 'mock-1')
  assert.ok(!sink.parts.join('').includes('"usage":{'))
})

test('failRate 1 -> upstream_error with status 500, retryable by status class', async () => {
  const c = createProviderClient(mockCfg({ latencyMs: 0, tokensPerSecond: 0, failRate: 1 }))
  await assert.rejects(c.call(call(), memorySink()), (e: unknown) => e instanceof GatewayError && e.code === 'upstream_error' && e.extra.upstreamStatus === 500)
})

test('latency delays the answer; latency beyond the attempt timeout -> upstream_timeout', async () => {
  const c = createProviderClient(mockCfg({ latencyMs: 80, tokensPerSecond: 0, failRate: 0 }))
  const start = performance.now()
  await c.call(call(), memorySink())
  assert.ok(performance.now() - start >= 75)
  await assert.rejects(c.call(call({ timeoutMs: 30 }), memorySink()), (e: unknown) => e instanceof GatewayError && e.code === 'upstream_timeout')
})

test('abort stops generation at once: the call rejects promptly and no chunk follows', async () => {
  const c = createProviderClient(mockCfg({ latencyMs: 0, tokensPerSecond: 20, failRate: 0 }))
  const ac = new AbortController()
  const sink = memorySink()
  const p = c.call(call({ stream: true, signal: ac.signal }), sink)
  await new Promise((r) => setTimeout(r, 120))
  const n = sink.parts.length
  assert.ok(n >= 1 && n < 22)
  const t0 = performance.now()
  ac.abort()
  await assert.rejects(p, GatewayError)
  assert.ok(performance.now() - t0 < 50)
  await new Promise((r) => setTimeout(r, 120))
  assert.equal(sink.parts.length, n)
})
