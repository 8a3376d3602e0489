/** Chat and legacy completions end to end: uWS gateway, `llmgw mock` and the in-process mock, the openai SDK (SPEC §4). */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { startE2E } from '../testing/e2e-specs.js'
import { loadOpenAISchemas, validateOpenAI } from '../testing/openai-schema.js'

const messages = [{ role: 'user' as const, content: 'Say hello' }]

for (const model of ['ext-model', 'sim-model']) {
  test(`non-streaming chat through ${model} answers in OpenAI's shape with x-llmgw-* headers`, async (t) => {
    const { client } = await startE2E(t)
    const { data, response } = await client.chat.completions.create({ model, messages }).withResponse()
    assert.equal(data.object, 'chat.completion')
    assert.ok((data.choices[0]?.message.content ?? '').length > 0)
    assert.ok((data.usage?.total_tokens ?? 0) > 0)
    assert.equal(response.headers.get('x-llmgw-provider'), model === 'ext-model' ? 'ext' : 'sim')
    assert.equal(response.headers.get('x-llmgw-attempts'), '1')
    assert.ok(response.headers.get('x-llmgw-model'))
    assert.ok(response.headers.get('x-request-id'))
    if (!loadOpenAISchemas()) return t.skip('../shared/openai-schemas.json is absent')
    assert.deepEqual(validateOpenAI('CreateChatCompletionResponse', data), [])
  })
}

test('the client x-request-id is echoed', async (t) => {
  const { gw } = await startE2E(t)
  const res = await fetch(`${gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-request-id': 'req-abc-123' },
    body: JSON.stringify({ model: 'sim-model', messages }),
  })
  assert.equal(res.status, 200)
  assert.equal(res.headers.get('x-request-id'), 'req-abc-123')
  await res.arrayBuffer()
})

test('legacy completions work through both mocks', async (t) => {
  const { client } = await startE2E(t)
  for (const model of ['ext-model', 'sim-model']) {
    const c = await client.completions.create({ model, prompt: 'Once upon a time', max_tokens: 8 })
    assert.equal(c.object, 'text_completion')
    assert.equal(typeof c.choices[0]?.text, 'string')
    if (loadOpenAISchemas()) assert.deepEqual(validateOpenAI('CreateCompletionResponse', c), [])
  }
})

test('the upstream API key never reaches the client, the upstream receives it', async (t) => {
  const { gw } = await startE2E(t)
  const res = await fetch(`${gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-mock-fail': '500' },
    body: JSON.stringify({ model: 'ext-model', messages }),
  })
  const text = await res.text()
  assert.equal(res.status, 502)
  assert.doesNotMatch(text, /sk-upstream-secret/)
  assert.doesNotMatch(JSON.stringify([...res.headers]), /sk-upstream-secret/)
})
