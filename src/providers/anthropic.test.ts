/** `type: anthropic` against the uWS mock's /v1/messages with real undici: passthrough, accounting, headers, refusals (translation to chat: translate/anthropic-chat.test.ts). */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { request } from 'undici'
import { GatewayError } from '../core/errors.js'
import { Secret } from '../core/secret.js'
import { createProviderClient } from './index.js'
import type { UpstreamCall } from './types.js'
import { recordingSink, startAnthropicUpstream, upstreamCall } from '../testing/upstream-call.js'

const chat = { model: 'claude-x', messages: [{ role: 'system', content: 'S' }, { role: 'user', content: 'hello' }], max_tokens: 100 }
const call = (o: Partial<UpstreamCall> = {}): UpstreamCall => upstreamCall(chat, o)
const memorySink = recordingSink
const setup = startAnthropicUpstream

test('the upstream bytes are relayed unchanged, usage read from them', async (t) => {
  const { m, c } = await setup(t)
  const sink = memorySink()
  const r = await c.call(call({ endpoint: 'messages', clientFormat: 'anthropic', stream: true }), sink)
  const direct = await request(`${m.url}/v1/messages`, { method: 'POST', body: JSON.stringify({ model: 'claude-x', system: 'S', max_tokens: 100, stream: true, messages: [{ role: 'user', content: 'hello' }] }) }).then((x) => x.body.text())
  assert.equal(sink.text(), direct)
  const start = JSON.parse(/^data: (.*)$/m.exec(direct)![1]!) as { message: { usage: { input_tokens: number } } }
  assert.deepEqual([r.usage?.prompt_tokens, r.usage?.completion_tokens], [start.message.usage.input_tokens, 20])
})

test('sends x-api-key and anthropic-version to {baseUrl}/v1/messages with system lifted', async (t) => {
  const seen: Array<{ url?: string; headers: Record<string, unknown>; body: string }> = []
  const srv = createServer((req, res) => {
    let body = ''
    req.on('data', (d: Buffer) => (body += d.toString()))
    req.on('end', () => {
      seen.push({ url: req.url, headers: req.headers, body })
      res.end(JSON.stringify({ id: 'm', type: 'message', role: 'assistant', model: 'claude-x', content: [{ type: 'text', text: 'ok' }], stop_reason: 'end_turn', usage: { input_tokens: 1, output_tokens: 1 } }))
    })
  })
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r))
  t.after(() => new Promise<void>((r) => srv.close(() => r())))
  const c = createProviderClient({ name: 'claude', type: 'anthropic', baseUrl: `http://127.0.0.1:${(srv.address() as AddressInfo).port}`, apiKey: new Secret('sk-ant-test'), headers: {}, timeoutMs: 5000, connections: 1 })
  t.after(() => c.close())
  await c.call(call(), memorySink())
  const s = seen[0]!
  assert.equal(s.url, '/v1/messages')
  assert.equal(s.headers['x-api-key'], 'sk-ant-test')
  assert.equal(s.headers['anthropic-version'], '2023-06-01')
  const sent = JSON.parse(s.body) as { system: string; max_tokens: number; messages: unknown[] }
  assert.deepEqual([sent.system, sent.max_tokens, sent.messages.length], ['S', 100, 1])
})

test('embeddings on an anthropic provider -> invalid_request, no upstream call', async (t) => {
  const { m, c } = await setup(t)
  await assert.rejects(c.call(call({ endpoint: 'embeddings', body: { model: 'x', input: 'y' } }), memorySink()), (e: unknown) => e instanceof GatewayError && e.code === 'invalid_request')
  assert.equal(m.stats().requests, 0)
})

test('n > 1 on an anthropic provider -> invalid_request with param n, no upstream call', async (t) => {
  const { m, c } = await setup(t)
  await assert.rejects(c.call(call({ body: { ...chat, n: 2 } }), memorySink()), (e: unknown) => e instanceof GatewayError && e.code === 'invalid_request' && e.extra.param === 'n')
  assert.equal(m.stats().requests, 0)
})

test('a content part or tool Anthropic cannot take -> invalid_request naming it, no upstream call (never silently dropped)', async (t) => {
  const { m, c } = await setup(t)
  const audio = { ...chat, messages: [{ role: 'user', content: [{ type: 'text', text: 'listen' }, { type: 'input_audio', input_audio: { data: 'AAAA', format: 'wav' } }] }] }
  await assert.rejects(c.call(call({ body: audio }), memorySink()), (e: unknown) => e instanceof GatewayError && e.code === 'invalid_request' && e.extra.param === 'messages[0].content[1]')
  const custom = { ...chat, tools: [{ type: 'custom', custom: { name: 'grammar' } }] }
  await assert.rejects(c.call(call({ body: custom }), memorySink()), (e: unknown) => e instanceof GatewayError && e.code === 'invalid_request' && e.extra.param === 'tools[0]')
  assert.equal(m.stats().requests, 0)
})

test('passthrough: the HTTP chunks of one upstream read are one client write; a stream cut mid-way reports what was relayed', async (t) => {
  const ev = (type: string, o: object) => `event: ${type}\ndata: ${JSON.stringify({ type, ...o })}\n\n`
  const httpChunk = (s: string): string => `${Buffer.byteLength(s).toString(16)}\r\n${s}\r\n`
  const first = [
    ev('message_start', { message: { id: 'm1', type: 'message', role: 'assistant', model: 'claude-x', content: [], usage: { input_tokens: 9, output_tokens: 1 } } }),
    ev('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
    ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'Hello there, general' } }),
  ]
  // one TCP write holding the head and three chunked-encoding chunks, then the connection is cut
  const srv = createServer((_q, res) => {
    const s = res.socket!
    s.write(`HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n${first.map(httpChunk).join('')}`)
    setTimeout(() => s.destroy(), 30)
  })
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r))
  t.after(() => new Promise<void>((r) => srv.close(() => r())))
  const c = createProviderClient({ name: 'claude', type: 'anthropic', baseUrl: `http://127.0.0.1:${(srv.address() as AddressInfo).port}`, apiKey: new Secret('sk-ant-test'), headers: {}, timeoutMs: 5000, connections: 1 })
  t.after(() => c.close())
  const sink = memorySink()
  await assert.rejects(c.call(call({ endpoint: 'messages', clientFormat: 'anthropic', stream: true }), sink), (e: unknown) => e instanceof GatewayError && e.code === 'upstream_error')
  assert.deepEqual(sink.parts, [first.join('')], 'one write for the read')
  assert.equal(sink.partials.length, 1)
  const u = await sink.partials[0]
  assert.equal(u?.prompt_tokens, 9)
  assert.ok((u?.completion_tokens ?? 0) >= 3, `completion tokens of the relayed text: ${u?.completion_tokens}`)
})
