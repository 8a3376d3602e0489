/** /v1/responses under the same policy as chat (issue 11): cache, key limits, content rules, tool items translated, metrics. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import OpenAI from 'openai'
import { mockSpec, startE2E } from '../testing/e2e-specs.js'
import { startTestGateway, startTestMock } from '../testing/harness.js'

const post = (url: string, body: object, headers: Record<string, string> = {}) =>
  fetch(`${url}/v1/responses`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) })

test('the response cache answers a repeated Responses request with HIT, byte-identical', async (t) => {
  const { gw } = await startE2E(t, { models: [{ name: 'cached', targets: [{ provider: 'ext', model: 'mock-upstream' }], cache: { ttl: '5m' } }] })
  const body = { model: 'cached', input: 'cache me' }
  const first = await post(gw.url, body)
  const firstText = await first.text()
  assert.equal(first.status, 200, firstText)
  assert.equal(first.headers.get('x-llmgw-cache'), 'MISS')
  const second = await post(gw.url, body)
  assert.equal(second.headers.get('x-llmgw-cache'), 'HIT')
  assert.equal(await second.text(), firstText)
  assert.equal((JSON.parse(firstText) as { object: string }).object, 'response')
})

test('a key over its tpm is refused at admission with 429 before any upstream call; within it, x-ratelimit headers', async (t) => {
  const mock = await startTestMock({ t, latencyMs: 0 })
  const spec = { ...(mockSpec(mock.url) as object), keys: [{ id: 'k', key: 'ck-responses-tpm', limits: { tpm: 2000 } }] }
  const gw = await startTestGateway(spec, { t })
  const auth = { authorization: 'Bearer ck-responses-tpm' }
  const ok = await post(gw.url, { model: 'ext-model', input: 'hi', max_output_tokens: 50 }, auth)
  assert.equal(ok.status, 200, await ok.text())
  assert.ok(ok.headers.get('x-ratelimit-remaining-tokens'))
  const before = mock.stats().requests
  // the reservation is the prompt plus max_output_tokens
  const over = await post(gw.url, { model: 'ext-model', input: 'hi', max_output_tokens: 5000 }, auth)
  assert.equal(over.status, 429)
  assert.ok(over.headers.get('retry-after'))
  assert.equal(((await over.json()) as { error: { code: string } }).error.code, 'rate_limit_exceeded')
  assert.equal(mock.stats().requests, before, 'no upstream call')
  const anonymous = await post(gw.url, { model: 'ext-model', input: 'hi' })
  assert.equal(anonymous.status, 401)
})

test('a function call round trip in input items: call + function_call_output reach the chat upstream and an answer comes back', async (t) => {
  const { client } = await startE2E(t, {})
  const r = await client.responses.create({
    model: 'ext-model',
    tools: [{ type: 'function', name: 'get_weather', description: 'weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] }, strict: false }],
    input: [
      { role: 'user', content: 'Weather in Paris?' },
      { type: 'function_call', call_id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
      { type: 'function_call_output', call_id: 'call_1', output: '{"temp":21}' },
    ],
  })
  assert.equal(r.status, 'completed')
  assert.ok(r.output_text.length > 0)
})

test('hosted tools cannot be translated for a chat upstream: 400 naming the param', async (t) => {
  const { client } = await startE2E(t, {})
  await assert.rejects(
    client.responses.create({ model: 'ext-model', input: 'search', tools: [{ type: 'web_search_preview' }] }),
    (e: unknown) => e instanceof OpenAI.BadRequestError && (e.error as { param?: string }).param === 'tools[0]',
  )
})

test('a Responses request is counted in llmgw_requests_total like a chat request', async (t) => {
  const { gw, client } = await startE2E(t, {})
  await client.responses.create({ model: 'ext-model', input: 'count me' })
  const metrics = await (await fetch(`${gw.url}/metrics`)).text()
  assert.match(metrics, /llmgw_requests_total\{[^}]*model="ext-model"[^}]*\} [1-9]/)
})
