import { test } from 'node:test'
import assert from 'node:assert/strict'
import { encode } from 'gpt-tokenizer'
import { countTokens, estimateReservation, preloadTokenizer } from './estimate.js'

test('countTokens agrees with gpt-tokenizer, the first time and from its cache, across a cache rollover', async () => {
  await preloadTokenizer()
  const texts = ['hi', 'You are a helpful assistant.', 'héllo wörld — ünïcode ✓', 'x'.repeat(5000)]
  for (let round = 0; round < 2; round++)
    for (const t of texts) assert.equal(countTokens(t), encode(t).length, `${t.slice(0, 20)} (round ${round})`)
  // more distinct texts than the cache holds: every answer stays exact
  for (let i = 0; i < 3000; i++) {
    const t = `message number ${i} about ${i % 7 === 0 ? 'weather' : 'trains'}`
    assert.equal(countTokens(t), encode(t).length)
  }
  assert.equal(countTokens('hi'), encode('hi').length)
  assert.equal(countTokens(''), 0)
})

test('estimateReservation: prompt tokens with per-message overhead plus max_tokens, or 1024 without it', async () => {
  await preloadTokenizer()
  const body = { model: 'm', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'hi' }] }
  const prompt = 3 + 4 + encode('Be brief.').length + 4 + encode('hi').length
  assert.deepEqual(estimateReservation('chat', { ...body, max_tokens: 20 }), { prompt, completion: 20 })
  assert.deepEqual(estimateReservation('chat', body), { prompt, completion: 1024 })
  assert.deepEqual(estimateReservation('embeddings', { model: 'e', input: ['a b', 'c'] }), { prompt: encode('a b').length + encode('c').length, completion: 0 })
})
