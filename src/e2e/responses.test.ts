/** POST /v1/responses (issue 11): the official `openai` SDK, plain and streamed, to a chat-only OpenAI-compatible provider and to an Anthropic provider (both translated). */
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import OpenAI from 'openai'
import { MOCK_FORWARD, mockSpec, startE2E } from '../testing/e2e-specs.js'
import { startTestGateway, startTestMock } from '../testing/harness.js'
import { loadOpenAISchemas, validateOpenAI } from '../testing/openai-schema.js'

// OpenAI's published schemas (../shared/openai-schemas.json) hold no Responses API components, so these answers are
// checked against the SDK's own types (openai/resources/responses) field by field instead.
const NO_RESPONSES_SCHEMA = 'openai-schemas.json has no Responses API schemas (checked against the SDK shape instead)'

const ANTHROPIC = { name: 'anth', type: 'anthropic', timeout: '5s' }

const start = (t: TestContext) => startE2E(t, {})

async function startWithAnthropic(t: TestContext) {
  // the same `llmgw mock` speaks Anthropic's Messages API at /v1/messages
  const mock = await startTestMock({ t, latencyMs: 0 })
  const spec = mockSpec(mock.url, { providers: [{ ...ANTHROPIC, baseUrl: mock.url }], models: [{ name: 'claude-model', targets: [{ provider: 'anth', model: 'claude-mock' }] }] })
  const gw = await startTestGateway(spec, { t, compileDeps: { forwardHeaders: MOCK_FORWARD } })
  return { gw, client: new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'client-key', maxRetries: 0, timeout: 10_000 }) }
}

function assertResponseShape(r: OpenAI.Responses.Response, streamed = false): void {
  assert.equal(r.object, 'response')
  assert.equal(typeof r.id, 'string')
  assert.equal(r.status, 'completed')
  const msg = r.output.find((o) => o.type === 'message')
  assert.ok(msg && msg.type === 'message', 'an output message')
  assert.equal(msg.role, 'assistant')
  assert.ok(msg.content.some((c) => c.type === 'output_text' && c.text.length > 0))
  assert.ok(r.usage && r.usage.input_tokens > 0 && r.usage.output_tokens > 0, 'usage in the Responses names')
  // create() derives output_text from the output items; an event's response object has none
  if (!streamed) assert.ok(r.output_text.length > 0, 'the SDK derives output_text')
}

for (const [label, model, boot] of [
  ['a chat-only OpenAI-compatible provider', 'ext-model', start],
  ['an Anthropic provider', 'claude-model', startWithAnthropic],
] as const) {
  test(`responses.create via ${label}: a Responses object with usage`, async (t) => {
    const { client } = await boot(t)
    const raw = await client.responses.create({ model, input: 'Say hello', instructions: 'be brief', max_output_tokens: 32 }).withResponse()
    assert.equal(raw.response.status, 200)
    // SPEC §4 headers on proxied calls
    const h = raw.response.headers
    assert.ok(h.get('x-llmgw-provider'))
    assert.ok(h.get('x-llmgw-model'))
    assert.equal(h.get('x-llmgw-attempts'), '1')
    assert.ok(h.get('x-request-id'))
    assertResponseShape(raw.data)
  })

  test(`responses.create stream via ${label}: created, text deltas, completed with usage`, async (t) => {
    const { client } = await boot(t)
    const stream = await client.responses.create({ model, input: [{ role: 'user', content: 'Say hello' }], stream: true })
    const types: string[] = []
    let text = ''
    let completed: OpenAI.Responses.Response | undefined
    for await (const ev of stream) {
      types.push(ev.type)
      if (ev.type === 'response.output_text.delta') text += ev.delta
      if (ev.type === 'response.completed') completed = ev.response
    }
    assert.equal(types[0], 'response.created')
    assert.ok(types.includes('response.output_text.delta'))
    assert.equal(types.at(-1), 'response.completed')
    assert.ok(text.length > 0)
    assert.ok(completed)
    assertResponseShape(completed, true)
  })
}

test('OpenAI schema check for Responses', { skip: NO_RESPONSES_SCHEMA }, () => {})

test('previous_response_id and store: true to a chat-only upstream: 400 in OpenAI error shape, never dropped', async (t) => {
  const { gw } = await start(t)
  for (const [param, extra] of [['previous_response_id', { previous_response_id: 'resp_123' }], ['store', { store: true }]] as const) {
    const res = await fetch(`${gw.url}/v1/responses`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'ext-model', input: 'hi', ...extra }) })
    const body = (await res.json()) as { error: { message: string; type: string; param: string | null; code: string } }
    assert.equal(res.status, 400)
    // errors have a published schema (the Responses objects have none: see NO_RESPONSES_SCHEMA)
    if (loadOpenAISchemas()) assert.deepEqual(validateOpenAI('ErrorResponse', body), [])
    assert.equal(body.error.code, 'invalid_request')
    assert.equal(body.error.param, param)
    assert.match(body.error.message, new RegExp(param))
  }
})

test('errors on /v1/responses are OpenAI-shaped: unknown model, bad JSON, stored-response paths', async (t) => {
  const { gw, client } = await start(t)
  await assert.rejects(client.responses.retrieve('resp_1'), (e: unknown) => e instanceof OpenAI.NotFoundError && /keeps no responses/.test(e.message))
  await assert.rejects(client.responses.create({ model: 'nope', input: 'hi' }), (e: unknown) => e instanceof OpenAI.NotFoundError && (e.error as { code?: string }).code === 'model_not_found')
  const res = await fetch(`${gw.url}/v1/responses`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' })
  assert.equal(res.status, 400)
  assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'invalid_json')
})

test('a stream that fails after it began ends with a Responses error event the SDK raises as an APIError', async (t) => {
  const { client } = await start(t)
  const stream = await client.responses.create({ model: 'ext-model', input: 'hi', stream: true }, { headers: { 'x-mock-fail': 'reset' } })
  const types: string[] = []
  await assert.rejects(
    (async () => {
      for await (const ev of stream) types.push(ev.type)
    })(),
    (e: unknown) => e instanceof OpenAI.APIError && /upstream|provider/i.test(e.message),
  )
  assert.ok(!types.includes('response.completed'), 'never a fake completion')
})
