/**
 * The mock calls tools and follows schemas (wire/mock-plan.ts) in every wire format it speaks: chat, Anthropic
 * Messages, Responses; whole and streamed. Arguments and JSON answers are checked with ajv against the request's schema.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Ajv2020 } from 'ajv/dist/2020.js'
import { accumulateResponse } from 'openai/lib/responses/ResponseAccumulator'
import type { Response, ResponseStreamEvent } from 'openai/resources/responses/responses'
import { generateMockAnswer, type MockAnswer, type MockEndpoint } from '../wire/mock-answer.js'

const ajv = new Ajv2020({ strict: false })
const weather = {
  type: 'object',
  properties: { city: { type: 'string', minLength: 2 }, unit: { enum: ['c', 'f'] }, days: { type: 'integer', minimum: 1, maximum: 7 } },
  required: ['city', 'unit', 'days'],
  additionalProperties: false,
}
const time = { type: 'object', properties: { zone: { type: 'string' } }, required: ['zone'] }
const validWeather = ajv.compile(weather)
const chatTools = [
  { type: 'function', function: { name: 'get_weather', parameters: weather } },
  { type: 'function', function: { name: 'get_time', parameters: time } },
]
const chatBody = (messages: object[], extra: object = {}) => ({ model: 'mock-1', messages, tools: chatTools, ...extra })
const user = (content: string) => ({ role: 'user', content })
const toolTurn = [
  user('weather?'),
  { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{}' } }] },
  { role: 'tool', tool_call_id: 'call_1', content: 'sunny' },
]

type ChatJson = { choices: Array<{ finish_reason: string; message: { content: string | null; tool_calls?: Array<{ id: string; function: { name: string; arguments: string } }> } }> }
const json = (a: MockAnswer) => JSON.parse(a.parts[0] as string) as ChatJson
const calls = (a: MockAnswer) => json(a).choices[0]!.message.tool_calls ?? []
const gen = (ep: MockEndpoint, body: object, tool?: string) => generateMockAnswer(ep, body, tool === undefined ? {} : { tool })

test('chat, auto: a user turn gets a tool call valid against its schema; after the tool result, text (agent loops end)', () => {
  const a = gen('chat', chatBody([user('What is the weather in Paris?')]))
  assert.equal(json(a).choices[0]!.finish_reason, 'tool_calls')
  assert.equal(json(a).choices[0]!.message.content, null)
  const [c] = calls(a)
  assert.equal(c!.function.name, 'get_weather')
  assert.match(c!.id, /^call_/)
  assert.ok(validWeather(JSON.parse(c!.function.arguments)), ajv.errorsText(validWeather.errors))
  assert.deepEqual(a, gen('chat', chatBody([user('What is the weather in Paris?')])), 'deterministic')
  const after = gen('chat', chatBody(toolTurn))
  assert.equal(json(after).choices[0]!.finish_reason, 'stop')
  assert.equal(typeof json(after).choices[0]!.message.content, 'string')
  assert.equal(calls(gen('chat', chatBody([user('what time is it')])))[0]!.function.name, 'get_time', 'the tool the prompt mentions')
  assert.equal(calls(gen('chat', chatBody([user('hello')])))[0]!.function.name, 'get_weather', 'else the first tool')
})

test('chat: tool_choice required / named / none, and the x-mock-tool and [mock-tool: ...] controls', () => {
  assert.equal(calls(gen('chat', chatBody(toolTurn, { tool_choice: 'required' }))).length, 1, 'required calls even after a result')
  assert.equal(calls(gen('chat', chatBody(toolTurn, { tool_choice: { type: 'function', function: { name: 'get_time' } } })))[0]!.function.name, 'get_time')
  assert.equal(calls(gen('chat', chatBody([user('weather')], { tool_choice: 'none' }))).length, 0)
  assert.deepEqual(calls(gen('chat', chatBody([user('x')]), 'all')).map((c) => c.function.name), ['get_weather', 'get_time'])
  assert.equal(calls(gen('chat', chatBody([user('weather')]), 'none')).length, 0)
  assert.equal(calls(gen('chat', chatBody(toolTurn), 'get_time'))[0]!.function.name, 'get_time', 'the header beats the rule')
  assert.equal(calls(gen('chat', chatBody([user('weather? [mock-tool: get_time]')])))[0]!.function.name, 'get_time')
  assert.equal(calls(gen('chat', chatBody([user('weather? [mock-tool: none]')]))).length, 0)
  const badCtl = gen('chat', chatBody([user('x')]), 'nope')
  assert.equal(badCtl.status, 400)
  assert.match(JSON.parse(badCtl.parts[0] as string).error.message, /nope.*offered: get_weather, get_time/)
  assert.equal(gen('chat', chatBody([user('x')], { tool_choice: { type: 'function', function: { name: 'zzz' } } })).status, 400)
  assert.equal(calls(gen('chat', { model: 'm', messages: [user('weather')] }, 'get_weather')).length, 0, 'no tools offered: text')
})

test('chat stream: tool_calls deltas rebuild the same call; usage matches the whole answer', () => {
  const body = chatBody([user('weather in Rome')], { stream: true, stream_options: { include_usage: true } })
  const chunks = gen('chat', body).parts.filter((p) => !p.includes('[DONE]')).map((p) => JSON.parse(p.slice(6)))
  let args = ''
  let name = ''
  let id = ''
  for (const ch of chunks) {
    for (const tc of ch.choices[0]?.delta.tool_calls ?? []) {
      id ||= tc.id ?? ''
      name ||= tc.function?.name ?? ''
      args += tc.function?.arguments ?? ''
    }
  }
  const whole = calls(gen('chat', { ...body, stream: false }))[0]!
  assert.deepEqual([id, name, args], [whole.id, whole.function.name, whole.function.arguments])
  assert.ok(validWeather(JSON.parse(args)))
  assert.equal(chunks.at(-2).choices[0].finish_reason, 'tool_calls')
  assert.deepEqual(chunks.at(-1).usage, JSON.parse(gen('chat', { ...body, stream: false }).parts[0] as string).usage)
})

test('chat response_format json_schema: the content is JSON valid against it; json_object gives an object', () => {
  const schema = { type: 'object', properties: { title: { type: 'string' }, tags: { type: 'array', items: { type: 'string' }, minItems: 1 }, n: { type: 'integer', minimum: 3 } }, required: ['title', 'tags', 'n'], additionalProperties: false }
  const valid = ajv.compile(schema)
  const body = { model: 'm', messages: [user('describe')], response_format: { type: 'json_schema', json_schema: { name: 'd', schema, strict: true } } }
  const content = json(gen('chat', body)).choices[0]!.message.content as string
  assert.ok(valid(JSON.parse(content)), content)
  const streamed = gen('chat', { ...body, stream: true }).parts.filter((p) => !p.includes('[DONE]')).map((p) => JSON.parse(p.slice(6)).choices[0]?.delta.content ?? '').join('')
  assert.equal(streamed, content)
  const obj = JSON.parse(json(gen('chat', { model: 'm', messages: [user('x')], response_format: { type: 'json_object' } })).choices[0]!.message.content as string)
  assert.equal(typeof obj.answer, 'string')
})

const anthropicTools = [{ name: 'get_weather', input_schema: weather }]
test('Anthropic Messages: tool_use block (tool_choice any), input_json_delta stream, output_format json_schema', () => {
  const body = { model: 'm', max_tokens: 100, messages: [user('weather')], tools: anthropicTools, tool_choice: { type: 'any' } }
  const m = JSON.parse(gen('messages', body).parts[0] as string)
  assert.equal(m.stop_reason, 'tool_use')
  assert.equal(m.content[0].type, 'tool_use')
  assert.match(m.content[0].id, /^toolu_/)
  assert.ok(validWeather(m.content[0].input))
  const events = gen('messages', { ...body, stream: true }).parts.map((p) => JSON.parse(p.split('\n')[1]!.slice(6)))
  assert.equal(events.find((e) => e.type === 'content_block_start').content_block.type, 'tool_use')
  const partial = events.filter((e) => e.delta?.type === 'input_json_delta').map((e) => e.delta.partial_json).join('')
  assert.deepEqual(JSON.parse(partial), m.content[0].input)
  assert.equal(events.find((e) => e.type === 'message_delta').delta.stop_reason, 'tool_use')
  // after the tool_result the answer is text
  const after = JSON.parse(gen('messages', { ...body, tool_choice: { type: 'auto' }, messages: [user('weather'), { role: 'assistant', content: [m.content[0]] }, { role: 'user', content: [{ type: 'tool_result', tool_use_id: m.content[0].id, content: 'sunny' }] }] }).parts[0] as string)
  assert.equal(after.stop_reason, 'end_turn')
  assert.equal(after.content[0].type, 'text')
  const schema = { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'], additionalProperties: false }
  const structured = JSON.parse(gen('messages', { model: 'm', max_tokens: 50, messages: [user('x')], output_format: { type: 'json_schema', schema } }).parts[0] as string)
  assert.ok(ajv.validate(schema, JSON.parse(structured.content[0].text)))
})

test('count_tokens answers {input_tokens} equal to the Messages answer usage; bad bodies in Anthropic error shape', () => {
  const body = { model: 'm', system: 'be brief', messages: [user('count these words please')] }
  const count = JSON.parse(gen('count_tokens', body).parts[0] as string)
  const usage = JSON.parse(gen('messages', { ...body, max_tokens: 10 }).parts[0] as string).usage
  assert.deepEqual(Object.keys(count), ['input_tokens'])
  assert.equal(count.input_tokens, usage.input_tokens)
  const bad = gen('count_tokens', { model: 'm' })
  assert.equal(bad.status, 400)
  assert.equal(JSON.parse(bad.parts[0] as string).type, 'error')
})

const respTools = [{ type: 'function', name: 'get_weather', parameters: weather, strict: true }]
function events(a: MockAnswer): ResponseStreamEvent[] {
  return a.parts.map((p) => JSON.parse(p.split('\n')[1]!.slice(6)) as ResponseStreamEvent)
}
test('Responses: function_call item with valid arguments, whole and streamed (read back by the SDK accumulator)', () => {
  const body = { model: 'mock-1', input: 'weather in Oslo?', tools: respTools }
  const r = JSON.parse(gen('responses', body).parts[0] as string) as Response
  assert.equal(r.object, 'response')
  assert.match(r.id, /^resp_/)
  const fc = r.output[0] as { type: string; call_id: string; name: string; arguments: string }
  assert.equal(fc.type, 'function_call')
  assert.ok(validWeather(JSON.parse(fc.arguments)))
  let snap: Response | undefined
  const evs = events(gen('responses', { ...body, stream: true }))
  for (const e of evs) snap = accumulateResponse(e, snap)
  assert.ok(evs.some((e) => e.type === 'response.function_call_arguments.delta'))
  const done = evs.at(-1) as { type: string; response: Response }
  assert.equal(done.type, 'response.completed')
  assert.deepEqual(done.response.output, r.output)
  assert.deepEqual(done.response.usage, r.usage)
  // the round trip: function_call_output -> a text answer
  const next = JSON.parse(gen('responses', { ...body, input: [{ role: 'user', content: 'weather in Oslo?' }, fc, { type: 'function_call_output', call_id: fc.call_id, output: '{"t":3}' }] }).parts[0] as string) as Response
  assert.equal(next.output[0]!.type, 'message')
})

test('Responses: text.format json_schema gives valid JSON text; bad requests and previous_response_id are 400 in OpenAI shape', () => {
  const schema = { type: 'object', properties: { answer: { type: 'string' }, confidence: { type: 'number', minimum: 0, maximum: 1 } }, required: ['answer', 'confidence'], additionalProperties: false }
  const r = JSON.parse(gen('responses', { model: 'm', input: 'x', text: { format: { type: 'json_schema', name: 'a', schema, strict: true } } }).parts[0] as string) as Response
  const msg = r.output[0] as { content: Array<{ text: string }> }
  assert.ok(ajv.validate(schema, JSON.parse(msg.content[0]!.text)))
  for (const body of [{ model: 'm' }, { model: 'm', input: 'x', previous_response_id: 'resp_1' }, { model: 'm', input: [{ role: 'robot', content: 'x' }] }]) {
    const a = gen('responses', body)
    assert.equal(a.status, 400, JSON.stringify(body))
    assert.equal(typeof JSON.parse(a.parts[0] as string).error.message, 'string')
  }
})
