/**
 * Streamed function calls on /v1/responses (issue 11) through every route: translated to chat, to Anthropic, native
 * (in-process mock). Plain, streamed text, tool round trips and json_schema with the real clients: clients-gateway.test.ts.
 */
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
}
