/** OpenAI wire helpers: usage, text, and the sniffing a relay uses instead of parsing every event. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { chunkText, looksLikeJsonObject, maxTokensOf, parseUsage, promptText, sniffValueStart } from './openai.js'

test('sniffValueStart tells null from an object or a string value, at the last occurrence of the key', () => {
  assert.equal(sniffValueStart('{"usage":null}', 'usage'), 'n'.charCodeAt(0))
  assert.equal(sniffValueStart('{"choices":[],"usage": {"prompt_tokens":1}}', 'usage'), '{'.charCodeAt(0))
  assert.equal(sniffValueStart('{"finish_reason":"stop"}', 'finish_reason'), '"'.charCodeAt(0))
  assert.equal(sniffValueStart('{"a":1}', 'usage'), -1)
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
