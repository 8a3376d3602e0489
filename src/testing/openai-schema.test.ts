/** The test-only OpenAI schema checker: `nullable` next to a `$ref` (QA F14). */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { loadOpenAISchemas, validateOpenAI } from './openai-schema.js'

test('a stream chunk with "usage": null validates (usage is a nullable $ref); a wrong usage type does not', (t) => {
  if (loadOpenAISchemas() === null) return t.skip('../shared/openai-schemas.json is absent')
  const chunk = (usage: unknown) => ({
    id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm',
    choices: [{ index: 0, delta: { role: 'assistant', content: 'hi' }, finish_reason: null }],
    usage,
  })
  assert.deepEqual(validateOpenAI('CreateChatCompletionStreamResponse', chunk(null)), [])
  assert.notDeepEqual(validateOpenAI('CreateChatCompletionStreamResponse', chunk('lots')), [])
})
