/** OpenAI wire helpers: usage, text, and the sniffing a relay uses instead of parsing every event. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { chunkText, looksLikeJsonObject, maxTokensOf, parseUsage, promptText, sniffModel, sniffValueStart, usageOnlyChunk } from './openai.js'

test('sniffValueStart tells null from an object or a string value, at the last occurrence of the key', () => {
  assert.equal(sniffValueStart('{"usage":null}', 'usage'), 'n'.charCodeAt(0))
  assert.equal(sniffValueStart('{"choices":[],"usage": {"prompt_tokens":1}}', 'usage'), '{'.charCodeAt(0))
  assert.equal(sniffValueStart('{"finish_reason":"stop"}', 'finish_reason'), '"'.charCodeAt(0))
  assert.equal(sniffValueStart('{"a":1}', 'usage'), -1)
})

test('sniffModel reads the model key without parsing, and gives up on anything it cannot read exactly', () => {
  const first = '{"id":"c1","object":"chat.completion.chunk","model":"gpt-4o-2024-08-06","choices":[{"delta":{"role":"assistant"}}]}'
  assert.equal(sniffModel(first), 'gpt-4o-2024-08-06')
  // a quoted "model" inside a string value is escaped, so it is not taken for the key
  assert.equal(sniffModel(JSON.stringify({ choices: [{ delta: { content: 'the "model":"x" here' } }], model: 'real' })), 'real')
  assert.equal(sniffModel('{"model": "spaced"}'), undefined)
  assert.equal(sniffModel(JSON.stringify({ model: 'a"b' })), undefined)
  assert.equal(sniffModel('{"model":""}'), undefined)
  assert.equal(sniffModel('{"choices":[]}'), undefined)
  assert.equal(sniffModel('{"model":"cut'), undefined)
})

test('looksLikeJsonObject rejects cut-off events', () => {
  assert.equal(looksLikeJsonObject(' {"a":1} '), true)
  assert.equal(looksLikeJsonObject('{"choices":[{"delta":{"content":"brok'), false)
  assert.equal(looksLikeJsonObject('not json'), false)
})

test('usage, chunk text, prompt text and max tokens', () => {
  assert.deepEqual(parseUsage({ usage: { prompt_tokens: 2, completion_tokens: 3 } }), { prompt_tokens: 2, completion_tokens: 3, total_tokens: 5 })
  assert.equal(parseUsage({ usage: null }), undefined)
  assert.equal(chunkText({ choices: [{ delta: { content: 'a' } }, { text: 'b' }] }), 'ab')
  assert.equal(promptText({ messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }] }), 'user: hi\n')
  assert.equal(maxTokensOf({ max_tokens: 10, max_completion_tokens: 5 }), 5)
  assert.equal(maxTokensOf({ max_tokens: -1 }), undefined)
})

test('usageOnlyChunk reads the usage of a usage-only chunk, the same as parseUsage of the whole, and nothing else', () => {
  const last = '{"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[],"usage":{"prompt_tokens":7,"completion_tokens":20,"total_tokens":27}}'
  assert.deepEqual(usageOnlyChunk(last), parseUsage(JSON.parse(last)))
  assert.deepEqual(usageOnlyChunk(`${last}  `), { prompt_tokens: 7, completion_tokens: 20, total_tokens: 27 })
  const nested = '{"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":4,"total_tokens":7,"prompt_tokens_details":{"cached_tokens":1}}}'
  assert.deepEqual(usageOnlyChunk(nested), parseUsage(JSON.parse(nested)))
  // shapes the full parse must decide: choices with content, usage not last, a later non-empty choices, broken text
  for (const other of [
    '{"choices":[{"index":0,"delta":{"content":"x"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}',
    '{"choices":[],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2},"model":"m"}',
    '{"choices":[],"usage":{"prompt_tokens":1},"choices":[{"delta":{"content":"late"}}]}',
    '{"choices":[],"usage":{"prompt_tokens":1,}}',
    '{"choices":[],"usage":null}',
    '{"text":"a \\"choices\\":[]","usage":{"prompt_tokens":1}}',
    '{"k\\"choices":[],"usage":{"prompt_tokens":1},"choices":[{"delta":{"content":"x"}}]}',
  ]) assert.equal(usageOnlyChunk(other), undefined, other)
})
