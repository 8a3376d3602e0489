/** Request parsing and validation (SPEC §4 invalid_json / invalid_request with param). */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { GatewayError } from '../core/errors.js'
import type { Endpoint } from '../core/types.js'
import { parseRequest, stringifyRequest } from './request.js'

const enc = (v: unknown) => new TextEncoder().encode(typeof v === 'string' ? v : JSON.stringify(v))
const fails = (ep: Endpoint, body: unknown, code: string, param?: string) => {
  assert.throws(
    () => parseRequest(ep, enc(body)),
    (e: unknown) => e instanceof GatewayError && e.code === code && (param === undefined || e.extra.param === param),
  )
}

test('a valid chat request parses once with model, stream and usage flags', () => {
  const r = parseRequest('chat', enc({ model: 'm', messages: [{ role: 'user', content: 'hi' }], stream: true, stream_options: { include_usage: true } }))
  assert.equal(r.model, 'm')
  assert.equal(r.stream, true)
  assert.equal(r.clientWantsUsage, true)
  assert.deepEqual(r.body.messages, [{ role: 'user', content: 'hi' }])
})

test('unparsable bodies are invalid_json; JSON that is not an object is invalid_request (a wrong type)', () => {
  fails('chat', '{"model":', 'invalid_json')
  fails('chat', '', 'invalid_json')
  fails('chat', '[1,2]', 'invalid_request')
  fails('chat', 'null', 'invalid_request')
  fails('embeddings', '"text"', 'invalid_request')
})

test('missing or wrong fields are invalid_request naming the param', () => {
  fails('chat', { messages: [] }, 'invalid_request', 'model')
  fails('chat', { model: 3, messages: [] }, 'invalid_request', 'model')
  fails('chat', { model: 'm' }, 'invalid_request', 'messages')
  fails('chat', { model: 'm', messages: [] }, 'invalid_request', 'messages')
  fails('chat', { model: 'm', messages: [{ role: 'wizard', content: 'x' }] }, 'invalid_request', 'messages[0].role')
  fails('chat', { model: 'm', messages: [{ role: 'user', content: 5 }] }, 'invalid_request', 'messages[0].content')
  fails('chat', { model: 'm', messages: [{ role: 'user', content: 'x' }], stream: 'yes' }, 'invalid_request', 'stream')
  fails('chat', { model: 'm', messages: [{ role: 'user', content: 'x' }], max_tokens: 0 }, 'invalid_request', 'max_tokens')
  fails('chat', { model: 'm', messages: [{ role: 'user', content: 'x' }], temperature: 'hot' }, 'invalid_request', 'temperature')
  fails('completions', { model: 'm' }, 'invalid_request', 'prompt')
  fails('embeddings', { model: 'm', input: [] }, 'invalid_request', 'input')
  fails('embeddings', { model: 'm', input: [1, 'a'] }, 'invalid_request', 'input')
})

test('completions and embeddings accept strings, string arrays and token ids', () => {
  assert.equal(parseRequest('completions', enc({ model: 'm', prompt: 'x' })).model, 'm')
  assert.equal(parseRequest('embeddings', enc({ model: 'm', input: ['a', 'b'] })).stream, false)
  assert.equal(parseRequest('embeddings', enc({ model: 'm', input: [[1, 2], [3]] })).model, 'm')
})

test('anthropic messages become the canonical chat body', () => {
  const r = parseRequest('messages', enc({
    model: 'c', max_tokens: 10, system: 'be brief', stream: true,
    messages: [{ role: 'user', content: [{ type: 'text', text: 'hello' }] }],
  }))
  assert.deepEqual(r.body.messages, [{ role: 'system', content: 'be brief' }, { role: 'user', content: 'hello' }])
  assert.equal(r.body.max_tokens, 10)
  assert.equal(r.stream, true)
  fails('messages', { model: 'c', messages: [{ role: 'user', content: 'x' }] }, 'invalid_request', 'max_tokens')
  fails('messages', { model: 'c', max_tokens: 5, messages: [{ role: 'system', content: 'x' }] }, 'invalid_request', 'messages.0.role')
})

test('anthropic tool use translates both ways into the canonical body (tools, tool_use, tool_result)', () => {
  const body = {
    model: 'claude-x', max_tokens: 100,
    tools: [{ name: 'get_weather', description: 'Weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } } }],
    messages: [
      { role: 'user', content: 'Weather in Paris?' },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'tu_1', name: 'get_weather', input: { city: 'Paris' } }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'tu_1', content: '18C' }] },
    ],
  }
  const r = parseRequest('messages', new TextEncoder().encode(JSON.stringify(body)))
  const messages = r.body.messages as Array<Record<string, unknown>>
  assert.deepEqual(messages[1], { role: 'assistant', content: null, tool_calls: [{ id: 'tu_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] })
  assert.deepEqual(messages[2], { role: 'tool', tool_call_id: 'tu_1', content: '18C' })
  assert.deepEqual((r.body.tools as Array<{ function: { name: string } }>)[0]!.function.name, 'get_weather')
  const unknown = { ...body, messages: [{ role: 'user', content: [{ type: 'hologram' }] }] }
  assert.throws(() => parseRequest('messages', new TextEncoder().encode(JSON.stringify(unknown))), (e: GatewayError) => e.code === 'invalid_request' && e.extra.param === 'messages.0.content.0.type')
})

test('a body nested deeper than JSON.stringify can write back is invalid_request, not a crash', () => {
  let deep = '1'
  for (let i = 0; i < 20_000; i++) deep = `{"a":${deep}}`
  const r = parseRequest('chat', new TextEncoder().encode(`{"model":"m","messages":[{"role":"user","content":"hi"}],"x":${deep}}`))
  assert.throws(() => stringifyRequest(r.body), (e: unknown) => e instanceof GatewayError && e.code === 'invalid_request')
  assert.equal(stringifyRequest({ model: 'm' }), '{"model":"m"}')
})
