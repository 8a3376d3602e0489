/**
 * models[].degrade (issue 12 part 4): when every target and fallback fails, the static answer instead of the error,
 * streaming or not, in the client's format, marked x-llmgw-degraded: static, counted, never cached; a client's own
 * bad request is never degraded.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import OpenAI from 'openai'
import { startGrpcMock } from '../mock/grpc.js'
import { startTestGateway } from '../testing/harness.js'

const MESSAGE = 'The assistant is busy; please try again in a minute.'

test('all targets and fallbacks down: the static degraded answer, stream or not, never cached', async (t) => {
  const grpc = await startGrpcMock({ host: '127.0.0.1', port: 0, latencyMs: 0, tokensPerSecond: 0 })
  t.after(() => grpc.close())
  const gw = await startTestGateway(
    {
      version: 1,
      providers: [
        { name: 'down', type: 'openai', baseUrl: 'http://127.0.0.1:1/v1', apiKey: 'sk-x', timeout: '2s' },
        { name: 'down2', type: 'grpc', baseUrl: 'http://127.0.0.1:1', timeout: '2s', grpc: { preset: 'tgis' } },
        { name: 'up', type: 'grpc', baseUrl: grpc.url, timeout: '2s', grpc: { preset: 'tgis' } },
      ],
      models: [
        { name: 'm', targets: [{ provider: 'down', model: 'x' }], fallback: ['backup'], cache: { ttl: '5m' }, degrade: { message: MESSAGE } },
        { name: 'backup', targets: [{ provider: 'down2', model: 'x' }] },
        { name: 'healthy', targets: [{ provider: 'up', model: 'x' }], degrade: { message: MESSAGE } },
      ],
    },
    { t },
  )
  const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'unused', maxRetries: 0 })

  for (let i = 0; i < 2; i++) {
    const r = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hello' }] }).withResponse()
    assert.equal(r.data.choices[0]!.message.content, MESSAGE)
    assert.equal(r.response.headers.get('x-llmgw-degraded'), 'static')
    assert.equal(r.response.headers.get('x-llmgw-provider'), 'degraded')
    assert.equal(r.response.headers.get('x-llmgw-cache'), 'MISS', 'a degraded answer is never stored')
  }
  let streamed = ''
  for await (const c of await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hello' }], stream: true })) streamed += c.choices[0]?.delta.content ?? ''
  assert.equal(streamed, MESSAGE)

  const msg = await fetch(`${gw.url}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
    body: JSON.stringify({ model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'hello' }] }),
  })
  assert.equal(msg.status, 200)
  assert.equal(((await msg.json()) as { content: Array<{ text: string }> }).content[0]!.text, MESSAGE)

  // a healthy model answers normally; a client's own bad request, or an upstream's 400, is never degraded
  const ok = await client.chat.completions.create({ model: 'healthy', messages: [{ role: 'user', content: 'hello' }] })
  assert.notEqual(ok.choices[0]!.message.content, MESSAGE)
  await assert.rejects(client.chat.completions.create({ model: 'healthy', messages: [{ role: 'user', content: 'mock-fail:INVALID_ARGUMENT' }] }), (e: unknown) => e instanceof OpenAI.APIError && e.status === 400)
  const bad = await fetch(`${gw.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'm' }) })
  assert.equal(bad.status, 400)
  assert.equal(bad.headers.get('x-llmgw-degraded'), null)
  await bad.text()

  const metrics = await (await fetch(`${gw.url}/metrics`)).text()
  assert.match(metrics, /^llmgw_requests_total\{[^}]*model="m"[^}]*provider="degraded"[^}]*status="200"[^}]*\} 4$/m)
})
