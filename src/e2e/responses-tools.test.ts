/** /v1/responses with function tools and json_schema (issue 11) through every route: translated to chat, to Anthropic, native (in-process mock). */
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import OpenAI from 'openai'
import { MOCK_FORWARD, mockSpec } from '../testing/e2e-specs.js'
import { startTestGateway, startTestMock } from '../testing/harness.js'

async function start(t: TestContext) {
  const mock = await startTestMock({ t, latencyMs: 0 })
  const spec = mockSpec(mock.url, {
    providers: [{ name: 'anth', type: 'anthropic', baseUrl: mock.url, timeout: '5s' }],
    models: [{ name: 'claude-model', targets: [{ provider: 'anth', model: 'claude-mock' }] }],
  })
  const gw = await startTestGateway(spec, { t, compileDeps: { forwardHeaders: MOCK_FORWARD } })
  return new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'client-key', maxRetries: 0, timeout: 10_000 })
}

const weather: OpenAI.Responses.FunctionTool = {
  type: 'function',
  name: 'get_weather',
  description: 'Weather for a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false },
  strict: true,
}

const ROUTES = [['chat-only openai-compatible', 'ext-model'], ['anthropic', 'claude-model'], ['native (in-process mock)', 'sim-model']] as const

for (const [label, model] of ROUTES) {
  test(`function tool round trip via ${label}: function_call -> function_call_output -> answer`, async (t) => {
    const client = await start(t)
    const first = await client.responses.create({ model, input: 'What is the weather in Paris?', tools: [weather], tool_choice: 'required' })
    const call = first.output.find((o): o is OpenAI.Responses.ResponseFunctionToolCall => o.type === 'function_call')
    assert.ok(call, `a function_call item: ${JSON.stringify(first.output)}`)
    assert.equal(call.name, 'get_weather')
    const args = JSON.parse(call.arguments) as { city?: unknown }
    assert.equal(typeof args.city, 'string', 'arguments follow the tool schema')
    const second = await client.responses.create({
      model,
      tools: [weather],
      input: [{ role: 'user', content: 'What is the weather in Paris?' }, call, { type: 'function_call_output', call_id: call.call_id, output: '{"temp":21}' }],
    })
    assert.equal(second.status, 'completed')
    assert.ok(second.output_text.length > 0)
  })

  test(`streamed function call via ${label}: arguments arrive as response.function_call_arguments.delta`, async (t) => {
    const client = await start(t)
    const stream = await client.responses.create({ model, input: 'Weather in Oslo?', tools: [weather], tool_choice: 'required', stream: true })
    let args = ''
    let done: OpenAI.Responses.Response | undefined
    for await (const ev of stream) {
      if (ev.type === 'response.function_call_arguments.delta') args += ev.delta
      if (ev.type === 'response.completed') done = ev.response
    }
    assert.equal(typeof (JSON.parse(args) as { city?: unknown }).city, 'string')
    assert.ok(done?.output.some((o) => o.type === 'function_call'))
  })

  test(`json_schema text.format via ${label}: ${model === 'claude-model' ? 'refused with 400 (Anthropic has no response_format), never free text' : 'responses.parse gives an object valid for the schema'}`, async (t) => {
    const client = await start(t)
    const ask = {
      model,
      input: 'Give me a city and its population',
      text: { format: { type: 'json_schema' as const, name: 'city', strict: true, schema: { type: 'object', properties: { name: { type: 'string' }, population: { type: 'integer' } }, required: ['name', 'population'], additionalProperties: false } } },
    }
    if (model === 'claude-model') {
      await assert.rejects(client.responses.parse(ask), (e: unknown) => e instanceof OpenAI.BadRequestError && /response_format/.test(e.message))
      return
    }
    const r = await client.responses.parse(ask)
    const parsed = r.output_parsed as { name?: unknown; population?: unknown } | null
    assert.ok(parsed, r.output_text)
    assert.equal(typeof parsed.name, 'string')
    assert.ok(Number.isInteger(parsed.population))
  })
}
