/** Pass-through pairs (translate/pass-through.ts): attempt bodies are built, never mutated; no copy when nothing differs. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { compileTranslators } from './index.js'
import { NATIVE, PASS_THROUGH, withModel, withModelAndUsage } from './pass-through.js'
import type { TranslateInput } from './types.js'

const input = (body: Record<string, unknown>, stream = false): TranslateInput => ({ endpoint: 'chat', body, native: undefined, stream, clientWantsUsage: false, promptRewritten: false })

test('the same object when the body already names the model; a copy with it otherwise, the original untouched', () => {
  const body = { model: 'public', messages: [] }
  assert.equal(withModel(body, 'public'), body)
  const built = withModel(body, 'upstream')
  assert.notEqual(built, body)
  assert.equal(built.model, 'upstream')
  assert.equal(body.model, 'public')
})

test('a stream asks for usage on a built body: the client body keeps its own stream_options', () => {
  const so = { include_usage: false }
  const body = { model: 'm', messages: [], stream: true, stream_options: so }
  const built = PASS_THROUGH.request(input(body, true), 'm').body
  assert.deepEqual(built.stream_options, { include_usage: true })
  assert.deepEqual(body.stream_options, { include_usage: false })
  assert.equal(so.include_usage, false)
  const asks = { model: 'm', messages: [], stream: true, stream_options: { include_usage: true } }
  assert.equal(withModelAndUsage(asks, 'm'), asks, 'nothing to change: no copy')
})

test('translators are chosen per provider: native where the provider speaks the API, translated otherwise', () => {
  const chatOnly = compileTranslators({ type: 'openai', speaks: () => false })
  assert.equal(chatOnly.chat, PASS_THROUGH)
  assert.equal(chatOnly.responses.name, 'responses->chat')
  assert.equal(chatOnly.count_tokens.name, 'count_tokens->tokenizer')
  assert.equal(chatOnly.messages.name, 'anthropic-messages->openai-chat')
  assert.equal(compileTranslators({ type: 'mock' }).messages, PASS_THROUGH, 'the mock answers Anthropic clients itself')
  const native = compileTranslators({ type: 'openai', speaks: (e) => e === 'responses' }).responses
  const req = { model: 'public', input: 'hi', previous_response_id: 'resp_1' }
  const p: TranslateInput = { endpoint: 'responses', body: { model: 'public', messages: [{ role: 'user', content: 'hi' }] }, native: req, stream: false, clientWantsUsage: false, promptRewritten: false }
  assert.deepEqual(native.request(p, 'gpt-x'), { endpoint: 'responses', body: { ...req, model: 'gpt-x' }, clientFormat: 'openai', clientWantsUsage: false })
  // a rule rewrote the prompt: the rewritten canonical body goes to chat (stateful fields then refused, never dropped)
  const rewritten = { ...p, native: { model: 'public', input: 'hi' }, promptRewritten: true }
  assert.equal(native.request(rewritten, 'gpt-x').endpoint, 'chat')
  assert.throws(() => native.request({ ...p, promptRewritten: true }, 'gpt-x'), /previous_response_id/)
  const anthropic = compileTranslators({ type: 'anthropic' })
  assert.equal(anthropic.chat.name, 'openai-chat->anthropic-messages')
  assert.equal(anthropic.messages, PASS_THROUGH)
  assert.equal(anthropic.responses.name, 'responses->chat->anthropic-messages')
  assert.equal(anthropic.count_tokens, NATIVE)
})
