/** POST /v1/messages/count_tokens and unknown /v1/messages/* paths (issue 11), with the official `@anthropic-ai/sdk`. */
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import Anthropic from '@anthropic-ai/sdk'
import { startTestGateway, startTestMock } from '../testing/harness.js'

const KEY = 'ck-count-tokens-key'

async function gateway(t: TestContext) {
  const mock = await startTestMock({ t, latencyMs: 0 })
  return startTestGateway(
    {
      version: 1,
      server: { sseKeepalive: 0 },
      providers: [
        // a chat-only OpenAI-compatible server: counted here with the tokenizer
        { name: 'ext', type: 'openai', baseUrl: `${mock.url}/v1`, timeout: '5s' },
        // Anthropic's API (`llmgw mock` serves it): relayed
        { name: 'anth', type: 'anthropic', baseUrl: mock.url, timeout: '5s' },
        { name: 'sim', type: 'mock', mock: { latency: '1ms' } },
      ],
      models: [
        { name: 'claude-x', targets: [{ provider: 'ext', model: 'mock-1' }] },
        { name: 'claude-relayed', targets: [{ provider: 'anth', model: 'claude-mock' }] },
        { name: 'claude-sim', targets: [{ provider: 'sim', model: 'mock-1' }] },
        { name: 'other-x', targets: [{ provider: 'sim', model: 'mock-1' }] },
      ],
      // a tpm too small for any model call (each reserves its max_tokens): counting tokens spends none, so it answers
      keys: [{ id: 'team', key: '${env:CT_KEY}', models: ['claude-*'], limits: { tpm: 10 } }],
    },
    { t, env: { ...process.env, CT_KEY: KEY } },
  )
}

const client = (url: string, apiKey = KEY) => new Anthropic({ baseURL: url, apiKey, maxRetries: 0, timeout: 10_000 })

test('messages.countTokens: input_tokens in Anthropic shape, grows with the prompt and with tools', async (t) => {
  const gw = await gateway(t)
  const c = client(gw.url)
  const short = await c.messages.countTokens({ model: 'claude-x', messages: [{ role: 'user', content: 'Hello' }] })
  assert.equal(typeof short.input_tokens, 'number')
  assert.ok(short.input_tokens > 0)
  const long = await c.messages.countTokens({
    model: 'claude-x',
    system: 'You are a careful assistant who answers in full sentences.',
    messages: [{ role: 'user', content: 'Hello there, please describe the weather in Paris in some detail.' }],
  })
  assert.ok(long.input_tokens > short.input_tokens, `${long.input_tokens} > ${short.input_tokens}`)
  const tools = await c.messages.countTokens({
    model: 'claude-x',
    messages: [{ role: 'user', content: 'Hello' }],
    tools: [{ name: 'get_weather', description: 'Weather for a city', input_schema: { type: 'object', properties: { city: { type: 'string' } } } }],
  })
  assert.ok(tools.input_tokens > short.input_tokens, 'tool definitions count as prompt')
  // relayed to an Anthropic upstream (and to the in-process mock, which answers count_tokens itself)
  for (const model of ['claude-relayed', 'claude-sim']) {
    const raw = await c.messages.countTokens({ model, messages: [{ role: 'user', content: 'Hello' }] }).withResponse()
    assert.ok(raw.data.input_tokens > 0, model)
    assert.equal(raw.response.headers.get('x-llmgw-provider'), model === 'claude-sim' ? 'sim' : 'anth')
  }
  // the same key's model call is refused by its tpm at admission: the counts above were not
  await assert.rejects(c.messages.create({ model: 'claude-x', max_tokens: 64, messages: [{ role: 'user', content: 'Hello' }] }), (e: unknown) => e instanceof Anthropic.RateLimitError)
})

test('count_tokens errors are Anthropic-shaped: bad key, model not allowed, missing messages', async (t) => {
  const gw = await gateway(t)
  await assert.rejects(client(gw.url, 'wrong').messages.countTokens({ model: 'claude-x', messages: [{ role: 'user', content: 'x' }] }), (e: unknown) => e instanceof Anthropic.AuthenticationError)
  await assert.rejects(client(gw.url).messages.countTokens({ model: 'other-x', messages: [{ role: 'user', content: 'x' }] }), (e: unknown) => e instanceof Anthropic.PermissionDeniedError)
  const res = await fetch(`${gw.url}/v1/messages/count_tokens`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': KEY }, body: JSON.stringify({ model: 'claude-x' }) })
  assert.equal(res.status, 400)
  const body = (await res.json()) as { type: string; error: { type: string; message: string } }
  assert.equal(body.type, 'error')
  assert.equal(body.error.type, 'invalid_request_error')
  assert.match(body.error.message, /messages/)
})

test('every unknown path under /v1/messages/ answers 404 in Anthropic error shape', async (t) => {
  const gw = await gateway(t)
  for (const [method, path] of [['POST', '/v1/messages/batches'], ['GET', '/v1/messages/x'], ['POST', '/v1/messages/count_tokens/more']] as const) {
    const res = await fetch(`${gw.url}${path}`, { method, headers: { 'content-type': 'application/json', 'x-api-key': KEY }, ...(method === 'POST' ? { body: '{}' } : {}) })
    assert.equal(res.status, 404, `${method} ${path}`)
    const body = (await res.json()) as { type: string; error: { type: string } }
    assert.equal(body.type, 'error')
    assert.equal(body.error.type, 'not_found_error')
  }
  // the SDK reads it as its own NotFoundError
  await assert.rejects(client(gw.url).messages.batches.retrieve('batch_1'), (e: unknown) => e instanceof Anthropic.NotFoundError)
})
