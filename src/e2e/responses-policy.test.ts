/** /v1/responses under the same policy as chat (issue 11): cache, key limits, content rules, tool items translated, metrics. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
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

test('rules apply to /v1/responses as to chat: request filter blocks, the system prompt reaches the upstream, the response mask applies', async (t) => {
  const seen: Array<{ url: string; body: { messages?: Array<{ role: string; content: unknown }> } }> = []
  const upstream = createServer((req, res) => {
    let body = ''
    req.on('data', (d: Buffer) => (body += d.toString()))
    req.on('end', () => {
      seen.push({ url: req.url ?? '', body: JSON.parse(body) as never })
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion', created: 1, model: 'up-1', choices: [{ index: 0, message: { role: 'assistant', content: 'the secret-word is here' }, finish_reason: 'stop' }], usage: { prompt_tokens: 5, completion_tokens: 5, total_tokens: 10 } }))
    })
  })
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r))
  t.after(() => new Promise<void>((r) => upstream.close(() => r())))
  const gw = await startTestGateway(
    {
      version: 1,
      server: { sseKeepalive: 0 },
      providers: [{ name: 'up', type: 'openai', baseUrl: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/v1`, timeout: '5s' }],
      models: [{ name: 'm', targets: [{ provider: 'up', model: 'up-1' }] }],
      rules: [
        { type: 'content-filter', words: ['forbidden-topic'], action: 'block', scope: ['request'] },
        { type: 'content-filter', words: ['secret-word'], action: 'mask', scope: ['response'] },
        { type: 'system-prompt', text: 'You are terse.', mode: 'prepend' },
      ],
    },
    { t },
  )
  const blocked = await post(gw.url, { model: 'm', input: 'tell me about forbidden-topic' })
  assert.equal(blocked.status, 400)
  assert.equal(((await blocked.json()) as { error: { code: string } }).error.code, 'content_filtered')
  assert.equal(seen.length, 0, 'refused before any upstream call')
  const ok = await post(gw.url, { model: 'm', input: 'hello', instructions: 'Answer in French.' })
  const r = (await ok.json()) as { object: string; output: Array<{ content?: Array<{ text: string }> }> }
  assert.equal(ok.status, 200)
  assert.equal(r.object, 'response')
  assert.equal(seen[0]?.url, '/v1/chat/completions', 'translated for a chat-only upstream')
  assert.deepEqual(seen[0]?.body.messages?.[0], { role: 'system', content: 'You are terse.' })
  const text = r.output.flatMap((o) => o.content ?? []).map((c) => c.text).join('')
  assert.ok(text.length > 0)
  assert.doesNotMatch(text, /secret-word/)
})
