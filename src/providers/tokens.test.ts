/** Counted usage (SPEC §7): answers without usage are counted with gpt-tokenizer, off the event loop. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { encode } from 'gpt-tokenizer'
import { countTexts, countUsage } from './tokens.js'

test('counts are gpt-tokenizer counts (o200k), special-token text included, empty text zero', async () => {
  const texts = ['Hello, world! How are you today?', 'naïve café — 東京 🙂', 'a <|endoftext|> b', '']
  const want = texts.map((t) => encode(t, { disallowedSpecial: new Set() }).length)
  assert.deepEqual(await countTexts(texts), want)
  assert.ok(want[0]! > 0 && want[3] === 0)
})

test('usage of an answer: prompt and completion counted, never zero for a non-empty answer or any request', async () => {
  const u = await countUsage('What is the capital of France?', 'Paris is the capital of France.')
  assert.equal(u.prompt_tokens, encode('What is the capital of France?').length)
  assert.equal(u.completion_tokens, encode('Paris is the capital of France.').length)
  assert.equal(u.total_tokens, u.prompt_tokens + u.completion_tokens)
  assert.deepEqual(await countUsage('', ''), { prompt_tokens: 1, completion_tokens: 0, total_tokens: 1 })
})

test('concurrent counts each get their own answer', async () => {
  const texts = Array.from({ length: 50 }, (_, i) => 'word '.repeat(i + 1))
  const got = await Promise.all(texts.map((t) => countTexts([t])))
  assert.deepEqual(got.map(([n]) => n), texts.map((t) => encode(t).length))
})

test('a text past the exact budget is counted from its head at the head\'s ratio (only the head crosses to the worker)', async () => {
  const head = 'The quick brown fox jumps over the lazy dog. '.repeat(2000)
  const long = head + head + head
  const [h = 0, l = 0] = await countTexts([head.slice(0, 65_536), long])
  const want = encode(long).length
  assert.ok(Math.abs(l - want) / want < 0.02, `${l} vs ${want}`)
  assert.ok(l > 2.5 * h, `${l} for three times the head's ${h}`)
})
