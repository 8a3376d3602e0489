/** OpenAI <-> Anthropic translation: requests, whole responses, and recorded Anthropic streams -> OpenAI chunks. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { packageRoot } from '../core/package-root.js'
import { GatewayError } from '../core/errors.js'
import { anthropicToOpenAIRequest, anthropicToOpenAIResponse, JSON_OUTPUT_TOOL, jsonOutputTool, openAIToAnthropicRequest, openAIToAnthropicResponse, untranslatable } from './anthropic-openai.js'
import { createAnthropicToOpenAIStream, createOpenAIToAnthropicStream } from './anthropic-openai-stream.js'
import { createSseSplitter } from './sse.js'

test('OpenAI chat request -> Anthropic: system lifted, max_tokens defaulted, stop, temperature clamped, tools', () => {
  const a = openAIToAnthropicRequest({
    model: 'claude-x',
    messages: [
      { role: 'system', content: 'Be brief.' },
      { role: 'developer', content: 'Use English.' },
      { role: 'user', content: 'Weather?' },
      { role: 'assistant', content: null, tool_calls: [{ id: 't1', type: 'function', function: { name: 'wx', arguments: '{"city":"Oslo"}' } }] },
      { role: 'tool', tool_call_id: 't1', content: 'sunny' },
    ],
    stop: 'END',
    temperature: 1.7,
    user: 'u-1',
    tools: [{ type: 'function', function: { name: 'wx', description: 'weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
    tool_choice: 'required',
  })
  assert.equal(a.system, 'Be brief.\n\nUse English.')
  assert.equal(a.max_tokens, 4096)
  assert.deepEqual(a.stop_sequences, ['END'])
  assert.equal(a.temperature, 1)
  assert.deepEqual(a.metadata, { user_id: 'u-1' })
  assert.deepEqual(a.tool_choice, { type: 'any' })
  assert.equal(a.tools?.[0]?.name, 'wx')
  assert.deepEqual(a.messages.map((m) => m.role), ['user', 'assistant', 'user'])
  assert.deepEqual(a.messages[1]?.content, [{ type: 'tool_use', id: 't1', name: 'wx', input: { city: 'Oslo' } }])
  assert.deepEqual(a.messages[2]?.content, [{ type: 'tool_result', tool_use_id: 't1', content: 'sunny' }])
  assert.equal(openAIToAnthropicRequest({ model: 'm', messages: [], max_completion_tokens: 77 }).max_tokens, 77)
})

test('Anthropic message -> OpenAI chat.completion with usage and finish_reason', () => {
  const o = anthropicToOpenAIResponse(
    { id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-x', content: [{ type: 'text', text: 'Hi' }, { type: 'tool_use', id: 't', name: 'f', input: { a: 1 } }], stop_reason: 'tool_use', usage: { input_tokens: 5, output_tokens: 7, cache_read_input_tokens: 2 } },
    123,
  )
  assert.equal(o.object, 'chat.completion')
  assert.equal(o.choices[0]?.message.content, 'Hi')
  assert.equal(o.choices[0]?.finish_reason, 'tool_calls')
  assert.deepEqual(o.choices[0]?.message.tool_calls, [{ id: 't', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }])
  assert.deepEqual(o.usage, { prompt_tokens: 7, completion_tokens: 7, total_tokens: 14 })
})

test('Anthropic request -> OpenAI chat request and back keeps system, text, tools and limits', () => {
  const o = anthropicToOpenAIRequest({
    model: 'x',
    system: 'Sys',
    max_tokens: 50,
    stop_sequences: ['Z'],
    messages: [
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: [{ type: 'tool_use', id: 't', name: 'f', input: { q: 1 } }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: 'ok' }] },
    ],
    tools: [{ name: 'f', input_schema: { type: 'object' } }],
    tool_choice: { type: 'tool', name: 'f' },
    stream: true,
  })
  assert.deepEqual(o.messages, [
    { role: 'system', content: 'Sys' },
    { role: 'user', content: 'Hi' },
    { role: 'assistant', content: null, tool_calls: [{ id: 't', type: 'function', function: { name: 'f', arguments: '{"q":1}' } }] },
    { role: 'tool', tool_call_id: 't', content: 'ok' },
  ])
  assert.equal(o.max_tokens, 50)
  assert.deepEqual(o.stop, ['Z'])
  assert.deepEqual(o.tool_choice, { type: 'function', function: { name: 'f' } })
  const back = openAIToAnthropicRequest(o)
  assert.equal(back.system, 'Sys')
  assert.equal(back.max_tokens, 50)
  assert.equal(back.stream, true)
})

test('OpenAI chat.completion -> Anthropic message', () => {
  const a = openAIToAnthropicResponse({ id: 'c1', model: 'gpt', choices: [{ message: { role: 'assistant', content: 'Yo' }, finish_reason: 'length' }], usage: { prompt_tokens: 3, completion_tokens: 4 } })
  assert.deepEqual(a.content, [{ type: 'text', text: 'Yo' }])
  assert.equal(a.stop_reason, 'max_tokens')
  assert.deepEqual(a.usage, { input_tokens: 3, output_tokens: 4 })
})

test('recorded Anthropic streams translate to the expected OpenAI chunks; an error event throws upstream_error', () => {
  const dir = join(packageRoot(), 'fixtures', 'upstream', 'anthropic')
  const cases = readdirSync(dir).filter((f) => f.endsWith('.sse'))
  assert.ok(cases.length >= 3)
  for (const f of cases) {
    const expected = readFileSync(join(dir, f.replace(/\.sse$/, '.chunks.jsonl')), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as unknown)
    const got: unknown[] = []
    const tr = createAnthropicToOpenAIStream(true, 1741000000)
    const s = createSseSplitter((e) => {
      for (const x of tr.push(JSON.parse(e.data) as Record<string, unknown>)) got.push(x === 'data: [DONE]\n\n' ? '[DONE]' : JSON.parse(x.slice(6)))
    })
    try {
      s.push(readFileSync(join(dir, f)))
      s.end()
    } catch (e) {
      assert.ok(e instanceof GatewayError, f)
      got.push({ throws: e.code, message: e.message })
    }
    assert.deepEqual(got, expected, f)
  }
})

test('OpenAI chunks -> Anthropic events: message_start, text block, tool block, message_delta with usage, message_stop', () => {
  const tr = createOpenAIToAnthropicStream()
  const events: string[] = []
  const push = (c: Record<string, unknown>) => events.push(...tr.push(c))
  push({ id: 'c', model: 'gpt', choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] })
  push({ id: 'c', model: 'gpt', choices: [{ index: 0, delta: { content: 'Hi' }, finish_reason: null }] })
  push({ id: 'c', model: 'gpt', choices: [{ index: 0, delta: { tool_calls: [{ index: 0, id: 't', type: 'function', function: { name: 'f', arguments: '{"a"' } }] }, finish_reason: null }] })
  push({ id: 'c', model: 'gpt', choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] })
  push({ id: 'c', model: 'gpt', choices: [], usage: { prompt_tokens: 2, completion_tokens: 3, total_tokens: 5 } })
  events.push(...tr.finish())
  const types = events.map((e) => /^event: (\w+)/.exec(e)?.[1])
  assert.deepEqual(types, ['message_start', 'content_block_start', 'content_block_delta', 'content_block_stop', 'content_block_start', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop'])
  const delta = JSON.parse(events[7]!.split('data: ')[1]!) as { delta: { stop_reason: string }; usage: { output_tokens: number } }
  assert.equal(delta.delta.stop_reason, 'tool_use')
  assert.equal(delta.usage.output_tokens, 3)
  assert.equal(tr.text, 'Hi')
})

test('parallel tool use: parallel_tool_calls false <-> disable_parallel_tool_use true, both ways', () => {
  const tools = [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }]
  const messages = [{ role: 'user', content: 'x' }]
  assert.deepEqual(openAIToAnthropicRequest({ model: 'c', messages, tools, parallel_tool_calls: false }).tool_choice, { type: 'auto', disable_parallel_tool_use: true })
  assert.deepEqual(openAIToAnthropicRequest({ model: 'c', messages, tools, tool_choice: 'required', parallel_tool_calls: false }).tool_choice, { type: 'any', disable_parallel_tool_use: true })
  assert.deepEqual(openAIToAnthropicRequest({ model: 'c', messages, tools, tool_choice: 'none', parallel_tool_calls: false }).tool_choice, { type: 'none' })
  assert.equal(openAIToAnthropicRequest({ model: 'c', messages, tools, parallel_tool_calls: true }).tool_choice, undefined)
  const back = anthropicToOpenAIRequest({ model: 'c', max_tokens: 5, messages, tools: [{ name: 'f', input_schema: { type: 'object' } }], tool_choice: { type: 'auto', disable_parallel_tool_use: true } })
  assert.equal(back.tool_choice, 'auto')
  assert.equal(back.parallel_tool_calls, false)
  const plain = anthropicToOpenAIRequest({ model: 'c', max_tokens: 5, messages, tools: [{ name: 'f', input_schema: { type: 'object' } }], tool_choice: { type: 'auto' } })
  assert.equal(plain.parallel_tool_calls, undefined)
})

test('untranslatable names the first part Anthropic cannot take (audio, files, custom tools); text, images and refusals translate', () => {
  const ok = { messages: [{ role: 'user', content: [{ type: 'text', text: 'a' }, { type: 'image_url', image_url: { url: 'http://x/i.png' } }] }, { role: 'assistant', content: [{ type: 'refusal', refusal: 'no' }] }], tools: [{ type: 'function', function: { name: 'f' } }] }
  assert.equal(untranslatable(ok), undefined)
  assert.equal(untranslatable({ messages: [{ role: 'user', content: 'a' }, { role: 'user', content: [{ type: 'input_audio', input_audio: {} }] }] }), 'messages[1].content[0]')
  assert.equal(untranslatable({ messages: [{ role: 'user', content: [{ type: 'file', file: {} }] }] }), 'messages[0].content[0]')
  assert.equal(untranslatable({ messages: [{ role: 'user', content: 'a' }], tools: [{ type: 'custom', custom: { name: 'c' } }] }), 'tools[0]')
  assert.deepEqual(openAIToAnthropicRequest({ model: 'c', messages: [{ role: 'user', content: 'q' }, { role: 'assistant', content: [{ type: 'refusal', refusal: 'no' }] }] }).messages[1], { role: 'assistant', content: [{ type: 'text', text: 'no' }] })
})

test('JSON output to Anthropic: the schema goes out as a forced tool, and its input comes back as the text, whole and streamed', () => {
  const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] }
  const a = openAIToAnthropicRequest({ model: 'c', messages: [{ role: 'user', content: 'Where?' }], response_format: { type: 'json_schema', json_schema: { name: 'place', schema } } })
  assert.deepEqual(a.tools?.map((t) => [t.name, t.input_schema]), [[JSON_OUTPUT_TOOL, schema]])
  assert.deepEqual(a.tool_choice, { type: 'tool', name: JSON_OUTPUT_TOOL })
  // with client tools the model may call one of them instead
  const withTools = openAIToAnthropicRequest({ model: 'c', messages: [], response_format: { type: 'json_object' }, tools: [{ type: 'function', function: { name: 'wx', parameters: { type: 'object' } } }] })
  assert.deepEqual(withTools.tools?.map((t) => t.name), ['wx', JSON_OUTPUT_TOOL])
  assert.deepEqual(withTools.tool_choice, { type: 'any' })
  assert.equal(jsonOutputTool({ type: 'json_schema', json_schema: { name: 'list', schema: { type: 'array' } } }), 'unsupported')
  assert.equal(jsonOutputTool({ type: 'text' }), undefined)

  const whole = anthropicToOpenAIResponse({ id: 'm', model: 'c', stop_reason: 'tool_use', content: [{ type: 'tool_use', id: 't', name: JSON_OUTPUT_TOOL, input: { city: 'Oslo' } }] })
  assert.equal(whole.choices[0]?.message.content, '{"city":"Oslo"}')
  assert.equal(whole.choices[0]?.message.tool_calls, undefined)
  assert.equal(whole.choices[0]?.finish_reason, 'stop')

  const tr = createAnthropicToOpenAIStream(false)
  const out = [
    { type: 'message_start', message: { id: 'm', model: 'c', usage: { input_tokens: 3, output_tokens: 0 } } },
    { type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: 't', name: JSON_OUTPUT_TOOL, input: {} } },
    { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '' } },
    { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '{"city":' } },
    { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '"Oslo"}' } },
    { type: 'message_delta', delta: { stop_reason: 'tool_use' }, usage: { output_tokens: 5 } },
    { type: 'message_stop' },
  ].flatMap((e) => tr.push(e))
  const chunks = out.filter((s) => s !== 'data: [DONE]\n\n').map((s) => JSON.parse(s.slice(6)) as { choices: Array<{ delta: { content?: string; tool_calls?: unknown }; finish_reason: string | null }> })
  assert.equal(chunks.map((c) => c.choices[0]?.delta.content ?? '').join(''), '{"city":"Oslo"}')
  assert.ok(chunks.every((c) => c.choices[0]?.delta.tool_calls === undefined), 'no tool call reaches the client')
  assert.equal(chunks.at(-1)?.choices[0]?.finish_reason, 'stop')
})
