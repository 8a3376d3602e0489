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

test('abort stops generation at once: the call rejects, no chunk follows the abort, the stream is cut short', async () => {
  const cfg = { latencyMs: 0, tokensPerSecond: 200, failRate: 0 }
  const whole = memorySink()
  await createProviderClient(mockCfg(cfg)).call(call({ stream: true }), whole)
  const full = whole.parts.length
  assert.ok(full > 6 && whole.text().includes('data: [DONE]'), whole.text())
  // abort from inside the sink as the 3rd chunk is written: no timer decides how many chunks get through
  const ABORT_AT = 3
  const c = createProviderClient(mockCfg(cfg))
  const ac = new AbortController()
  const sink = memorySink()
  const chunk = sink.chunk.bind(sink)
  sink.chunk = (b) => {
    const ok = chunk(b)
    if (sink.parts.length === ABORT_AT) ac.abort()
    return ok
  }
  await assert.rejects(c.call(call({ stream: true, signal: ac.signal }), sink), GatewayError)
  assert.equal(sink.parts.length, ABORT_AT, 'a chunk was written after the abort')
  // the same first chunks, in the same order, as the uninterrupted stream (the mock is deterministic)
  assert.equal(normalise(sink.text()), normalise(whole.parts.slice(0, ABORT_AT).join('')))
  // a lower bound only: several token intervals later, still nothing more (the generator's timer was cleared)
  await new Promise((r) => setTimeout(r, 60))
  assert.equal(sink.parts.length, ABORT_AT)
  assert.ok(!sink.text().includes('[DONE]') && !sink.text().includes('finish_reason":"stop'))
})
