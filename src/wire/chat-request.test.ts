/** Chat request shapes (SPEC §4: wrong types are 400 invalid_request naming the param), checked before any upstream call. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { GatewayError } from '../core/errors.js'
import { parseRequest } from './request.js'

const enc = (v: unknown) => new TextEncoder().encode(JSON.stringify(v))
const user = { role: 'user', content: 'hi' }
const param = (extra: Record<string, unknown>, messages: unknown[] = [user]): unknown => {
  try {
    parseRequest('chat', enc({ model: 'm', messages, ...extra }))
    return 'accepted'
  } catch (e) {
    assert.ok(e instanceof GatewayError && e.code === 'invalid_request', String(e))
    return e.extra.param
  }
}

test('a full, valid request with tools, tool calls, images, refusals and options parses', () => {
  const messages = [
    { role: 'system', content: 'be brief' },
    { role: 'user', content: [{ type: 'text', text: 'what is this?' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } }, { type: 'input_audio', input_audio: { data: 'x', format: 'wav' } }] },
    { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'look', arguments: '{"a":1}' } }] },
    { role: 'tool', tool_call_id: 'call_1', content: 'a cat' },
    { role: 'assistant', content: [{ type: 'refusal', refusal: 'no' }] },
    { role: 'user', content: 'ok' },
  ]
  const extra = {
    tools: [{ type: 'function', function: { name: 'look', parameters: { type: 'object' } } }, { type: 'custom', custom: { name: 'c' } }],
    tool_choice: { type: 'function', function: { name: 'look' } },
    response_format: { type: 'json_object' },
    logprobs: true, top_logprobs: 2, parallel_tool_calls: false, seed: 7, user: 'u', metadata: { a: 'b' }, logit_bias: { '50256': -100 },
  }
  assert.equal(param(extra, messages), 'accepted')
  assert.equal(param({ tool_choice: 'required', tools: null, response_format: null }), 'accepted')
  assert.equal(param({ seed: 2 ** 62 }), 'accepted', 'a 64-bit seed')
})

test('wrong types in tools, tool_choice, response_format and options are refused with their param', () => {
  assert.equal(param({ tools: 'x' }), 'tools')
  assert.equal(param({ tools: [5] }), 'tools[0]')
  assert.equal(param({ tools: [{ type: 'function' }] }), 'tools[0].function.name')
  assert.equal(param({ tools: [{ type: 'function', function: { name: 'f', parameters: 'x' } }] }), 'tools[0].function.parameters')
  assert.equal(param({ tool_choice: 5 }), 'tool_choice')
  assert.equal(param({ tool_choice: 'sometimes' }), 'tool_choice')
  assert.equal(param({ response_format: 'x' }), 'response_format')
  assert.equal(param({ logprobs: 'x' }), 'logprobs')
  assert.equal(param({ parallel_tool_calls: 1 }), 'parallel_tool_calls')
  assert.equal(param({ top_logprobs: 1.5 }), 'top_logprobs')
  assert.equal(param({ metadata: [[]] }), 'metadata')
  assert.equal(param({ user: 3 }), 'user')
})

test('wrong message shapes are refused: null or type-less parts, tool messages without an id, malformed tool calls', () => {
  assert.equal(param({}, [{ role: 'user', content: [null] }]), 'messages[0].content[0]')
  assert.equal(param({}, [{ role: 'user', content: [{ text: 'x' }] }]), 'messages[0].content[0]')
  assert.equal(param({}, [{ role: 'user', content: [{ type: 'text', text: 5 }] }]), 'messages[0].content[0].text')
  assert.equal(param({}, [{ role: 'user', content: [{ type: 'image_url', image_url: 'http://x' }] }]), 'messages[0].content[0].image_url')
  assert.equal(param({}, [user, { role: 'tool', content: 'x' }]), 'messages[1].tool_call_id')
  assert.equal(param({}, [user, { role: 'assistant', tool_calls: 'x' }]), 'messages[1].tool_calls')
  assert.equal(param({}, [user, { role: 'assistant', tool_calls: [{ type: 'function', function: { name: 'f', arguments: '{}' } }] }]), 'messages[1].tool_calls[0]')
  const objArgs = [user, { role: 'assistant', tool_calls: [{ id: 'a', type: 'function', function: { name: 'f', arguments: { a: 1 } } }] }]
  assert.equal(param({}, objArgs), 'messages[1].tool_calls[0].function.arguments')
})
