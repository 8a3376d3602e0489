/**
 * The real clients people build with, each driven once through a base URL (issue 11 "Must show"): the official
 * `openai` SDK's Responses API, the Vercel AI SDK, the OpenAI Agents SDK and `@anthropic-ai/sdk`. The same suites
 * run against `llmgw mock` itself and against the gateway (translated to chat and to Anthropic), so a failure
 * points at the hop that broke. ../shared/openai-schemas.json has no Responses API schemas: the SDKs' own parsing
 * (the stream accumulator throws on events out of order; `responses.parse` on JSON that does not parse) is the check.
 */
import assert from 'node:assert/strict'
import OpenAI from 'openai'
import { zodTextFormat } from 'openai/helpers/zod'
import Anthropic from '@anthropic-ai/sdk'
import { generateObject, generateText, jsonSchema, stepCountIs, streamText, tool } from 'ai'
import { createOpenAI } from '@ai-sdk/openai'
import { Agent, OpenAIResponsesModel, run, setTracingDisabled, tool as agentTool } from '@openai/agents'
import { z } from 'zod'

// the Agents SDK would export traces to api.openai.com: tests talk to 127.0.0.1 only
setTracingDisabled(true)

/** baseUrl: up to and without /v1 (…/v1 is added for the OpenAI clients, as they expect it). */
export interface ClientTarget {
  readonly baseUrl: string
  readonly model: string
  readonly apiKey?: string
}

const weatherParams = {
  type: 'object',
  properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['c', 'f'] } },
  required: ['city', 'unit'],
  additionalProperties: false,
} as const

const openai = (t: ClientTarget) => new OpenAI({ baseURL: `${t.baseUrl}/v1`, apiKey: t.apiKey ?? 'test', maxRetries: 0 })

/** responses.create, whole: text output, usage, ids. */
export async function openaiResponsesPlain(t: ClientTarget): Promise<void> {
  const r = await openai(t).responses.create({ model: t.model, input: 'Say hello', instructions: 'Be brief', max_output_tokens: 50 })
  assert.equal(r.object, 'response')
  assert.match(r.id, /^resp_/)
  assert.equal(r.status, 'completed')
  assert.ok(r.output_text.length > 0, 'output_text')
  assert.equal(r.output[0]?.type, 'message')
  assert.ok((r.usage?.input_tokens ?? 0) > 0 && (r.usage?.output_tokens ?? 0) > 0)
  assert.equal(r.usage?.total_tokens, (r.usage?.input_tokens ?? 0) + (r.usage?.output_tokens ?? 0))
}

/** responses.create stream: the events in order (the SDK's accumulator checks them), text deltas, completed with usage. */
export async function openaiResponsesStream(t: ClientTarget): Promise<void> {
  const client = openai(t)
  const stream = client.responses.stream({ model: t.model, input: 'Say hello' })
  const types: string[] = []
  let text = ''
  for await (const e of stream) {
    types.push(e.type)
    if (e.type === 'response.output_text.delta') text += e.delta
  }
  const final = await stream.finalResponse()
  assert.equal(types[0], 'response.created')
  assert.equal(types.at(-1), 'response.completed')
  assert.ok(types.filter((x) => x === 'response.output_text.delta').length > 1, 'text arrives in several deltas')
  assert.equal(text, final.output_text)
  assert.ok((final.usage?.output_tokens ?? 0) > 0)
  // the same request without streaming: the same answer
  const whole = await client.responses.create({ model: t.model, input: 'Say hello' })
  assert.equal(whole.output_text, final.output_text)
}

/** A function tool round trip: function_call -> function_call_output -> a text answer. */
export async function openaiResponsesToolRoundTrip(t: ClientTarget): Promise<void> {
  const client = openai(t)
  const tools = [{ type: 'function' as const, name: 'get_weather', description: 'Weather for a city', parameters: weatherParams, strict: true }]
  const input: OpenAI.Responses.ResponseInput = [{ role: 'user', content: 'What is the weather in Paris?' }]
  const first = await client.responses.create({ model: t.model, input, tools })
  const call = first.output.find((o) => o.type === 'function_call')
  assert.ok(call && call.type === 'function_call', `a function_call item, got ${JSON.stringify(first.output)}`)
  assert.equal(call.name, 'get_weather')
  const args = JSON.parse(call.arguments) as { city: unknown; unit: unknown }
  assert.equal(typeof args.city, 'string')
  assert.ok(args.unit === 'c' || args.unit === 'f')
  input.push(call, { type: 'function_call_output', call_id: call.call_id, output: JSON.stringify({ temperature: 21 }) })
  const second = await client.responses.create({ model: t.model, input, tools })
  assert.equal(second.output.some((o) => o.type === 'function_call'), false)
  assert.ok(second.output_text.length > 0)
  // streamed, the call arrives as argument deltas
  const s = client.responses.stream({ model: t.model, input: 'weather in Rome?', tools, tool_choice: 'required' })
  let deltas = ''
  for await (const e of s) if (e.type === 'response.function_call_arguments.delta') deltas += e.delta
  const done = (await s.finalResponse()).output.find((o) => o.type === 'function_call')
  assert.equal(done?.type === 'function_call' ? done.arguments : undefined, deltas)
}

/** responses.parse with a zod text format: output_parsed follows the schema. */
export async function openaiResponsesParse(t: ClientTarget): Promise<void> {
  const Event = z.object({ name: z.string(), date: z.string(), attendees: z.array(z.string()), count: z.number().int() })
  const r = await openai(t).responses.parse({ model: t.model, input: 'Alice and Bob go to a fair on Friday.', text: { format: zodTextFormat(Event, 'event') } })
  const parsed = r.output_parsed
  assert.ok(parsed, 'output_parsed')
  Event.parse(parsed)
}

/** Vercel AI SDK with its default (Responses API) model: generateText, streamText, a tool loop. */
export async function aiSdkSuite(t: ClientTarget): Promise<void> {
  const provider = createOpenAI({ baseURL: `${t.baseUrl}/v1`, apiKey: t.apiKey ?? 'test' })
  const model = provider(t.model)
  const g = await generateText({ model, prompt: 'Say hello' })
  assert.ok(g.text.length > 0)
  assert.ok((g.usage.inputTokens ?? 0) > 0 && (g.usage.outputTokens ?? 0) > 0)
  const s = streamText({ model, prompt: 'Say hello' })
  let streamed = ''
  for await (const part of s.textStream) streamed += part
  assert.equal(streamed, g.text)
  assert.equal(await s.finishReason, 'stop')
  let calledWith: unknown
  const withTool = await generateText({
    model,
    prompt: 'What is the weather in Paris?',
    tools: {
      get_weather: tool({
        description: 'Weather for a city',
        inputSchema: jsonSchema<{ city: string; unit: 'c' | 'f' }>(weatherParams as never),
        execute: async (input) => {
          calledWith = input
          return { temperature: 21 }
        },
      }),
    },
    stopWhen: stepCountIs(3),
  })
  assert.equal(typeof (calledWith as { city: unknown } | undefined)?.city, 'string', 'the tool ran with schema-valid input')
  assert.equal(withTool.steps.length, 2, 'tool call, then the answer')
  assert.ok(withTool.text.length > 0)
}

/**
 * Vercel AI SDK multi-turn: the previous answer's messages sent back. With its default `store: true` the AI SDK sends
 * earlier assistant text as `item_reference`s to OpenAI's stored items, which only a native Responses upstream can
 * resolve (the gateway keeps no items, and refuses them with 400 for translated targets); `store: false` sends the text.
 */
export async function aiSdkMultiTurn(t: ClientTarget): Promise<void> {
  const model = createOpenAI({ baseURL: `${t.baseUrl}/v1`, apiKey: t.apiKey ?? 'test' })(t.model)
  const providerOptions = { openai: { store: false } }
  const first = await generateText({ model, prompt: 'Say hello', providerOptions })
  const second = await generateText({ model, providerOptions, messages: [{ role: 'user', content: 'Say hello' }, ...first.response.messages, { role: 'user', content: 'And again?' }] })
  assert.ok(second.text.length > 0)
  assert.notEqual(second.text, first.text, 'a different conversation, a different answer')
}

/** Vercel AI SDK generateObject: the object follows the zod schema (sent as text.format json_schema). */
export async function aiSdkObject(t: ClientTarget): Promise<void> {
  const model = createOpenAI({ baseURL: `${t.baseUrl}/v1`, apiKey: t.apiKey ?? 'test' })(t.model)
  const o = await generateObject({ model, prompt: 'A recipe', schema: z.object({ title: z.string(), steps: z.array(z.string()), minutes: z.number() }) })
  assert.equal(typeof o.object.title, 'string')
  assert.ok(Array.isArray(o.object.steps))
}

/** @openai/agents: the default run() (Responses API model) with one tool. */
export async function agentsRun(t: ClientTarget): Promise<void> {
  let ran = 0
  const getWeather = agentTool({
    name: 'get_weather',
    description: 'Weather for a city',
    parameters: z.object({ city: z.string() }),
    execute: async ({ city }) => {
      ran++
      return `Sunny in ${city}`
    },
  })
  const client = openai(t)
  const agent = new Agent({ name: 'Weather', instructions: 'Answer with the weather.', tools: [getWeather], model: new OpenAIResponsesModel(client, t.model) })
  const result = await run(agent, 'What is the weather in Paris?', { maxTurns: 4 })
  assert.equal(ran, 1, 'the tool ran once')
  assert.equal(typeof result.finalOutput, 'string')
  assert.ok((result.finalOutput as string).length > 0)
}

/** @anthropic-ai/sdk: messages.countTokens, and a tool_use round trip. */
export async function anthropicSuite(t: ClientTarget): Promise<void> {
  const client = new Anthropic({ baseURL: t.baseUrl, apiKey: t.apiKey ?? 'test', maxRetries: 0 })
  const messages: Anthropic.MessageParam[] = [{ role: 'user', content: 'What is the weather in Paris?' }]
  const count = await client.messages.countTokens({ model: t.model, system: 'Be brief', messages })
  assert.ok(Number.isInteger(count.input_tokens) && count.input_tokens > 0)
  const tools: Anthropic.Tool[] = [{ name: 'get_weather', description: 'Weather for a city', input_schema: weatherParams as unknown as Anthropic.Tool.InputSchema }]
  const first = await client.messages.create({ model: t.model, max_tokens: 200, messages, tools })
  assert.equal(first.stop_reason, 'tool_use')
  const use = first.content.find((b) => b.type === 'tool_use')
  assert.ok(use && use.type === 'tool_use')
  assert.equal(use.name, 'get_weather')
  assert.equal(typeof (use.input as { city: unknown }).city, 'string')
  messages.push({ role: 'assistant', content: first.content }, { role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content: 'Sunny, 21 C' }] })
  const second = await client.messages.create({ model: t.model, max_tokens: 200, messages, tools })
  assert.equal(second.stop_reason, 'end_turn')
  assert.equal(second.content[0]?.type, 'text')
  // streamed, the tool input arrives as input_json_delta and the SDK rebuilds it
  const s = client.messages.stream({ model: t.model, max_tokens: 200, messages: messages.slice(0, 1), tools, tool_choice: { type: 'any' } })
  const final = await s.finalMessage()
  const streamedUse = final.content.find((b) => b.type === 'tool_use')
  assert.deepEqual(streamedUse?.type === 'tool_use' ? streamedUse.input : undefined, use.input)
}
