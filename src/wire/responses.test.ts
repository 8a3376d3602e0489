/** Responses request -> chat body (wire/responses.ts): items, tools, formats, limits, shape errors and untranslatable parts. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { GatewayError } from '../core/errors.js'
import { checkChatBody } from './chat-request.js'
import { openAIToAnthropicRequest } from './anthropic-openai.js'
import { parseResponsesRequest, responsesUntranslatable, untranslatableError } from './responses.js'

const weather = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false }

test('a string input with instructions is a system and a user message', () => {
  const chat = parseResponsesRequest({ model: 'm', input: 'hi', instructions: 'be brief', stream: true, max_output_tokens: 50, temperature: 0.2, top_p: 0.9 })
  assert.deepEqual(chat, {
    model: 'm',
    messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content: 'hi' }],
    stream: true,
    max_tokens: 50,
    temperature: 0.2,
    top_p: 0.9,
  })
  checkChatBody(chat)
})

test('message items with parts: text joined, images kept as parts, assistant history plain text, developer -> system', () => {
  const chat = parseResponsesRequest({
    model: 'm',
    input: [
      { role: 'developer', content: 'rules' },
      { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'a' }, { type: 'input_text', text: 'b' }] },
      { type: 'message', role: 'assistant', id: 'msg_1', status: 'completed', content: [{ type: 'output_text', text: 'ok', annotations: [] }] },
      { role: 'user', content: [{ type: 'input_text', text: 'see' }, { type: 'input_image', image_url: 'data:image/png;base64,AAAA', detail: 'low' }] },
    ],
  })
  assert.deepEqual(chat.messages, [
    { role: 'system', content: 'rules' },
    { role: 'user', content: 'a\nb' },
    { role: 'assistant', content: 'ok' },
    { role: 'user', content: [{ type: 'text', text: 'see' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA', detail: 'low' } }] },
  ])
  checkChatBody(chat)
})

test('function_call items join one assistant turn; function_call_output is a tool message; reasoning items are skipped', () => {
  const chat = parseResponsesRequest({
    model: 'm',
    input: [
      { role: 'user', content: 'weather in Paris and Rome?' },
      { type: 'reasoning', id: 'rs_1', summary: [] },
      { type: 'function_call', call_id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
      { type: 'function_call', call_id: 'call_2', name: 'get_weather', arguments: '{"city":"Rome"}', id: 'fc_2', status: 'completed' },
      { type: 'function_call_output', call_id: 'call_1', output: 'sunny' },
      { type: 'function_call_output', call_id: 'call_2', output: [{ type: 'input_text', text: 'rain' }] },
    ],
  })
  assert.deepEqual(chat.messages, [
    { role: 'user', content: 'weather in Paris and Rome?' },
    {
      role: 'assistant',
      content: null,
      tool_calls: [
        { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
        { id: 'call_2', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } },
      ],
    },
    { role: 'tool', tool_call_id: 'call_1', content: 'sunny' },
    { role: 'tool', tool_call_id: 'call_2', content: 'rain' },
  ])
  checkChatBody(chat)
  // and it translates on to Anthropic: tool_use blocks in one assistant turn, both results in one user turn
  const a = openAIToAnthropicRequest(chat)
  assert.equal(a.messages.length, 3)
  assert.deepEqual((a.messages[1]!.content as Array<{ type: string }>).map((b) => b.type), ['tool_use', 'tool_use'])
  assert.deepEqual((a.messages[2]!.content as Array<{ type: string }>).map((b) => b.type), ['tool_result', 'tool_result'])
})

test('function tools, tool_choice, text.format json_schema, reasoning.effort, metadata', () => {
  const chat = parseResponsesRequest({
    model: 'm',
    input: 'x',
    tools: [{ type: 'function', name: 'get_weather', description: 'd', parameters: weather, strict: true }],
    tool_choice: { type: 'function', name: 'get_weather' },
    text: { format: { type: 'json_schema', name: 'out', schema: weather, strict: true } },
    reasoning: { effort: 'low', summary: 'auto' },
    max_output_tokens: 100,
    metadata: { a: '1' },
    parallel_tool_calls: false,
    user: 'u',
  })
  assert.deepEqual(chat.tools, [{ type: 'function', function: { name: 'get_weather', description: 'd', parameters: weather, strict: true } }])
  assert.deepEqual(chat.tool_choice, { type: 'function', function: { name: 'get_weather' } })
  assert.deepEqual(chat.response_format, { type: 'json_schema', json_schema: { name: 'out', schema: weather, strict: true } })
  assert.equal(chat.reasoning_effort, 'low')
  assert.equal(chat.max_completion_tokens, 100, 'reasoning models take max_completion_tokens')
  assert.equal(chat.max_tokens, undefined)
  assert.equal(chat.metadata, undefined, 'echoed in the answer, not sent to a chat upstream')
  assert.equal(chat.parallel_tool_calls, false)
  assert.equal(chat.user, 'u')
  checkChatBody(chat)
  assert.deepEqual(parseResponsesRequest({ model: 'm', input: 'x', tool_choice: 'required' }).tool_choice, 'required')
  assert.deepEqual(parseResponsesRequest({ model: 'm', input: 'x', text: { format: { type: 'json_object' } } }).response_format, { type: 'json_object' })
  assert.equal(parseResponsesRequest({ model: 'm', input: 'x', text: { format: { type: 'text' } } }).response_format, undefined)
})

test('wrong shapes throw 400 invalid_request naming the param', () => {
  const cases: Array<[Record<string, unknown>, string]> = [
    [{ model: 'm' }, 'input'],
    [{ model: 'm', input: 5 }, 'input'],
    [{ model: 'm', input: [] }, 'input'],
    [{ model: 'm', input: 'x', instructions: 3 }, 'instructions'],
    [{ model: 'm', input: [3] }, 'input[0]'],
    [{ model: 'm', input: [{ role: 'robot', content: 'x' }] }, 'input[0].role'],
    [{ model: 'm', input: [{ role: 'user', content: 7 }] }, 'input[0].content'],
    [{ model: 'm', input: [{ role: 'user', content: [{ type: 'input_text' }] }] }, 'input[0].content[0].text'],
    [{ model: 'm', input: [{ role: 'user', content: [{ text: 'x' }] }] }, 'input[0].content[0]'],
    [{ model: 'm', input: [{ type: 'function_call', name: 'f', arguments: '{}' }] }, 'input[0].call_id'],
    [{ model: 'm', input: [{ type: 'function_call', call_id: 'c', name: 'f', arguments: {} }] }, 'input[0].arguments'],
    [{ model: 'm', input: [{ type: 'function_call_output', call_id: 'c' }] }, 'input[0].output'],
    [{ model: 'm', input: 'x', tools: {} }, 'tools'],
    [{ model: 'm', input: 'x', tools: [{ type: 'function' }] }, 'tools[0].name'],
    [{ model: 'm', input: 'x', tools: [{ type: 'function', name: 'f', parameters: 'x' }] }, 'tools[0].parameters'],
    [{ model: 'm', input: 'x', tool_choice: 'sometimes' }, 'tool_choice'],
    [{ model: 'm', input: 'x', tool_choice: { type: 'function' } }, 'tool_choice.name'],
    [{ model: 'm', input: 'x', text: 'json' }, 'text'],
    [{ model: 'm', input: 'x', text: { format: { type: 'json_schema', name: 'n' } } }, 'text.format.schema'],
    [{ model: 'm', input: 'x', reasoning: { effort: 1 } }, 'reasoning.effort'],
    [{ model: 'm', input: 'x', metadata: [] }, 'metadata'],
  ]
  for (const [body, param] of cases) {
    assert.throws(
      () => parseResponsesRequest(body),
      (e: unknown) => e instanceof GatewayError && e.code === 'invalid_request' && e.extra.param === param,
      `${JSON.stringify(body)} -> ${param}`,
    )
  }
})

test('what a chat body cannot carry parses (for native upstreams) but is named by responsesUntranslatable', () => {
  const cases: Array<[Record<string, unknown>, string]> = [
    [{ input: 'x', previous_response_id: 'resp_1' }, 'previous_response_id'],
    [{ input: 'x', conversation: 'conv_1' }, 'conversation'],
    [{ input: 'x', background: true }, 'background'],
    [{ input: [{ type: 'item_reference', id: 'msg_1' }, { role: 'user', content: 'x' }] }, 'input[0]'],
    [{ input: [{ role: 'user', content: [{ type: 'input_image', file_id: 'file-1' }] }] }, 'input[0].content[0]'],
    [{ input: 'x', tools: [{ type: 'web_search' }] }, 'tools[0]'],
    [{ input: 'x', tool_choice: { type: 'web_search_preview' } }, 'tool_choice'],
    [{ input: [{ role: 'user', content: 'x' }, { type: 'function_call_output', call_id: 'c', output: [{ type: 'input_image', image_url: 'u' }] }] }, 'input[1].output'],
  ]
  for (const [body, param] of cases) {
    const full = { model: 'm', ...body }
    assert.doesNotThrow(() => parseResponsesRequest(full), param)
    assert.equal(responsesUntranslatable(full), param)
  }
  assert.equal(responsesUntranslatable({ model: 'm', input: 'x', background: false, tools: [{ type: 'function', name: 'f' }] }), undefined)
  const e = untranslatableError('tools[0]')
  assert.equal(e.code, 'invalid_request')
  assert.equal(e.extra.param, 'tools[0]')
})
