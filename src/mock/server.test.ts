/** `llmgw mock` server on real uWS: endpoints, the official openai SDK as client, failure controls, stats and aborts. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import OpenAI from 'openai'
import { request } from 'undici'
import { startMockServer } from './server.js'

async function mock(t: { after(fn: () => unknown): void }, opts = {}) {
  const m = await startMockServer(opts)
  t.after(() => m.close())
  return m
}
const chat = { model: 'mock-1', messages: [{ role: 'user', content: 'hi' }] }
const post = (url: string, path: string, body: unknown, headers: Record<string, string> = {}) =>
  request(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) })

test('listens on 127.0.0.1 with a real port and serves the openai SDK: chat, stream, embeddings, models', async (t) => {
  const m = await mock(t)
  assert.match(m.url, /^http:\/\/127\.0\.0\.1:\d+$/)
  const client = new OpenAI({ baseURL: `${m.url}/v1`, apiKey: 'test', maxRetries: 0 })
  const c = await client.chat.completions.create({ model: 'mock-1', messages: [{ role: 'user', content: 'hi' }] })
  assert.equal(c.usage?.completion_tokens, 20)
  const s = await client.chat.completions.create({ model: 'mock-1', messages: [{ role: 'user', content: 'hi' }], stream: true, stream_options: { include_usage: true } })
  let text = ''
  let usage
  for await (const chunk of s) {
    text += chunk.choices[0]?.delta.content ?? ''
    usage = chunk.usage ?? usage
  }
  assert.equal(text, c.choices[0]?.message.content)
  assert.equal(usage?.total_tokens, c.usage?.total_tokens)
  const e = await client.embeddings.create({ model: 'mock-embed-1', input: 'x', dimensions: 4 })
  assert.equal(e.data[0]?.embedding.length, 4)
  const models = await client.models.list()
  assert.ok(models.data.some((x) => x.id === 'mock-1'))
  assert.equal(m.stats().requests, 4)
})

test('x-mock-fail 500 and 429 answer OpenAI errors; 429 carries retry-after', async (t) => {
  const m = await mock(t)
  const r500 = await post(m.url, '/v1/chat/completions', chat, { 'x-mock-fail': '500' })
  assert.equal(r500.statusCode, 500)
  assert.equal(((await r500.body.json()) as { error: { type: string } }).error.type, 'server_error')
  const r429 = await post(m.url, '/v1/chat/completions', chat, { 'x-mock-fail': '429' })
  assert.equal(r429.statusCode, 429)
  assert.equal(r429.headers['retry-after'], '1')
  await r429.body.dump()
})

test('x-mock-fail bad-json and bad-sse send broken bodies with status 200', async (t) => {
  const m = await mock(t)
  const j = await post(m.url, '/v1/chat/completions', chat, { 'x-mock-fail': 'bad-json' })
  assert.equal(j.statusCode, 200)
  await assert.rejects(j.body.json())
  const s = await post(m.url, '/v1/chat/completions', { ...chat, stream: true }, { 'x-mock-fail': 'bad-sse' })
  const text = await s.body.text()
  assert.ok(!text.includes('[DONE]'))
  assert.throws(() => JSON.parse(text.split('\n\n')[1]!.slice(6)))
})

test('x-mock-fail reset closes the connection after the headers', async (t) => {
  const m = await mock(t)
  const r = await post(m.url, '/v1/chat/completions', { ...chat, stream: true }, { 'x-mock-fail': 'reset' })
  assert.equal(r.statusCode, 200)
  await assert.rejects(r.body.text())
  assert.equal(m.stats().aborted, 0, 'a reset the mock made itself is not a client abort')
})

test('a client leaving a hung request is counted as an abort within a second', async (t) => {
  const m = await mock(t)
  const ac = new AbortController()
  const r = request(`${m.url}/v1/chat/completions`, { method: 'POST', body: JSON.stringify(chat), headers: { 'x-mock-fail': 'hang' }, signal: ac.signal })
  await new Promise((res) => setTimeout(res, 100))
  const before = Date.now()
  ac.abort()
  await assert.rejects(r)
  for (let i = 0; i < 50 && m.stats().aborted === 0; i++) await new Promise((res) => setTimeout(res, 20))
  const s = m.stats()
  assert.equal(s.aborted, 1)
  assert.ok(s.lastAbortAt !== undefined && s.lastAbortAt - before < 1000)
  const live = (await request(`${m.url}/_mock/stats`).then((x) => x.body.json())) as { requests: number; aborted: number }
  assert.deepEqual([live.requests, live.aborted], [1, 1])
})

test('latency and tokens-per-second pace the stream; x-mock-answer-tokens sets its length', async (t) => {
  const m = await mock(t, { latencyMs: 50 })
  const start = performance.now()
  const r = await post(m.url, '/v1/chat/completions', { ...chat, stream: true }, { 'x-mock-tokens-per-second': '200', 'x-mock-answer-tokens': '5' })
  const text = await r.body.text()
  assert.ok(performance.now() - start >= 50 + 5 * 4)
  assert.equal(text.split('\n\n').filter((e) => e.includes('"content":"') && !e.includes('"role"')).length, 5)
})

test('unknown paths get 404, bodies that are not JSON a 400', async (t) => {
  const m = await mock(t)
  const r = await request(`${m.url}/v2/nope`)
  assert.equal(r.statusCode, 404)
  await r.body.dump()
  const b = await request(`${m.url}/v1/chat/completions`, { method: 'POST', body: '{nope' })
  assert.equal(b.statusCode, 400)
  await b.body.dump()
})

test('POST /v1/responses and /v1/messages/count_tokens; x-mock-tool picks the call; unknown /v1/messages paths answer in Anthropic shape', async (t) => {
  const m = await mock(t)
  const tools = [{ type: 'function', name: 'a', parameters: { type: 'object', properties: {} } }, { type: 'function', name: 'b', parameters: { type: 'object', properties: { n: { type: 'integer' } }, required: ['n'] } }]
  const r = await post(m.url, '/v1/responses', { model: 'mock-1', input: 'hi', tools }, { 'x-mock-tool': 'b' })
  assert.equal(r.statusCode, 200)
  const body = (await r.body.json()) as { output: Array<{ type: string; name: string; arguments: string }> }
  assert.equal(body.output[0]?.type, 'function_call')
  assert.equal(body.output[0]?.name, 'b')
  assert.equal(typeof (JSON.parse(body.output[0]!.arguments) as { n: unknown }).n, 'number')
  const c = await post(m.url, '/v1/messages/count_tokens', { model: 'mock-1', messages: [{ role: 'user', content: 'one two three' }] })
  assert.equal(c.statusCode, 200)
  assert.deepEqual(await c.body.json(), { input_tokens: 5 }, 'the usage a /v1/messages answer to it reports')
  const nf = await post(m.url, '/v1/messages/batches', {})
  assert.equal(nf.statusCode, 404)
  assert.equal(((await nf.body.json()) as { type: string }).type, 'error')
  const bad = await post(m.url, '/v1/responses', { model: 'mock-1', input: 'hi', tools }, { 'x-mock-tool': 'zzz' })
  assert.equal(bad.statusCode, 400)
  assert.match(((await bad.body.json()) as { error: { message: string } }).error.message, /zzz/)
})
