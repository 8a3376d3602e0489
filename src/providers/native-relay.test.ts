/** Native relays (issue 11): Responses API to openai/azure-openai, count_tokens to anthropic; bytes as received, usage read. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Secret } from '../core/secret.js'
import type { ProviderConfig } from './config.js'
import { createProviderClient } from './index.js'
import { recordingSink, upstreamCall } from '../testing/upstream-call.js'

type After = { after(fn: () => unknown): void }

async function upstream(t: After, reply: (req: IncomingMessage, res: ServerResponse) => void) {
  const seen: Array<{ url?: string; body: string }> = []
  const srv = createServer((req, res) => {
    let body = ''
    req.on('data', (d: Buffer) => (body += d.toString()))
    req.on('end', () => {
      seen.push({ url: req.url, body })
      reply(req, res)
    })
  })
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r))
  t.after(() => new Promise<void>((r) => srv.close(() => r())))
  return { url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}`, seen }
}

const cfg = (type: ProviderConfig['type'], baseUrl: string, extra: Partial<ProviderConfig> = {}): ProviderConfig => ({
  name: 'up', type, baseUrl, apiKey: new Secret('sk-native-test'), headers: {}, timeoutMs: 5000, connections: 2, ...extra,
})

const RESPONSE = { id: 'resp_1', object: 'response', status: 'completed', model: 'gpt-x', output: [{ type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'hi' }] }], usage: { input_tokens: 7, output_tokens: 2, total_tokens: 9 } }
const REQUEST = { model: 'gpt-x', input: 'hello', previous_response_id: 'resp_0' }

test('which providers speak the Responses API natively: openai.com, azure; other OpenAI-compatible servers only when told', () => {
  assert.equal(createProviderClient(cfg('openai', 'https://api.openai.com/v1')).speaks?.('responses'), true)
  assert.equal(createProviderClient(cfg('openai', 'http://127.0.0.1:1/v1')).speaks?.('responses'), false)
  assert.equal(createProviderClient(cfg('openai', 'http://127.0.0.1:1/v1', { responses: 'native' })).speaks?.('responses'), true)
  assert.equal(createProviderClient(cfg('azure-openai', 'https://x.openai.azure.com')).speaks?.('responses'), true)
  assert.equal(createProviderClient(cfg('anthropic', 'http://127.0.0.1:1')).speaks?.('count_tokens'), true)
})

test('a Responses request to a native openai upstream: POST /responses with the body as sent, the answer relayed as received', async (t) => {
  const up = await upstream(t, (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(RESPONSE)))
  const c = createProviderClient(cfg('openai', `${up.url}/v1`, { responses: 'native' }))
  t.after(() => c.close())
  const sink = recordingSink()
  const r = await c.call(upstreamCall(REQUEST, { endpoint: 'responses' }), sink)
  assert.equal(up.seen[0]?.url, '/v1/responses')
  // previous_response_id goes upstream: a native upstream keeps the state it names
  assert.deepEqual(JSON.parse(up.seen[0]!.body), REQUEST)
  assert.deepEqual(JSON.parse(sink.text()), RESPONSE)
  assert.deepEqual(r.usage, { prompt_tokens: 7, completion_tokens: 2, total_tokens: 9 })
  assert.equal(r.model, 'gpt-x')
})

test('a native Responses stream: events relayed in order, usage from response.completed; cut before it is a failure', async (t) => {
  const events = [
    { type: 'response.created', sequence_number: 0, response: { ...RESPONSE, status: 'in_progress', output: [], usage: null } },
    { type: 'response.output_text.delta', sequence_number: 1, item_id: 'm', output_index: 0, content_index: 0, delta: 'hi' },
    { type: 'response.completed', sequence_number: 2, response: RESPONSE },
  ]
  const sse = events.map((e) => `event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`)
  let cut = false
  const up = await upstream(t, (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' })
    res.end((cut ? sse.slice(0, 2) : sse).join(''))
  })
  const c = createProviderClient(cfg('azure-openai', `${up.url}/openai/deployments`))
  t.after(() => c.close())
  const sink = recordingSink()
  const r = await c.call(upstreamCall({ ...REQUEST, stream: true }, { endpoint: 'responses', stream: true }), sink)
  assert.equal(up.seen[0]?.url, '/openai/v1/responses', 'the v1 route, not a deployment path')
  assert.equal(sink.text(), sse.join(''))
  assert.deepEqual(r.usage, { prompt_tokens: 7, completion_tokens: 2, total_tokens: 9 })
  cut = true
  await assert.rejects(c.call(upstreamCall({ ...REQUEST, stream: true }, { endpoint: 'responses', stream: true }), recordingSink()), /no response\.completed/)
})

test('count_tokens to anthropic: relayed to /v1/messages/count_tokens with the x-api-key, the answer as received', async (t) => {
  const up = await upstream(t, (req, res) => {
    assert.equal(req.headers['x-api-key'], 'sk-native-test')
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"input_tokens":42}')
  })
  const c = createProviderClient(cfg('anthropic', up.url))
  t.after(() => c.close())
  const sink = recordingSink()
  const body = { model: 'claude-x', messages: [{ role: 'user', content: 'hi' }] }
  const r = await c.call(upstreamCall(body, { endpoint: 'count_tokens', clientFormat: 'anthropic' }), sink)
  assert.equal(up.seen[0]?.url, '/v1/messages/count_tokens')
  assert.deepEqual(JSON.parse(up.seen[0]!.body), body)
  assert.equal(sink.text(), '{"input_tokens":42}')
  assert.equal(r.usage, undefined, 'counting spends no tokens')
})
