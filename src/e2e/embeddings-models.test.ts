/** Embeddings and the model list end to end (SPEC §4 /v1/embeddings, /v1/models). */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { startE2E } from '../testing/e2e-specs.js'
import { loadOpenAISchemas, validateOpenAI } from '../testing/openai-schema.js'

test('embeddings through both mocks', async (t) => {
  const { client } = await startE2E(t)
  for (const model of ['ext-model', 'sim-model']) {
    const e = await client.embeddings.create({ model, input: ['hello', 'world'] })
    assert.equal(e.object, 'list')
    assert.equal(e.data.length, 2)
    assert.ok(e.data[0]!.embedding.length > 0)
    if (loadOpenAISchemas()) assert.deepEqual(validateOpenAI('CreateEmbeddingResponse', e), [])
  }
})

test('GET /v1/models lists the public models, glob names left out', async (t) => {
  const { client } = await startE2E(t, { models: [{ name: 'any-*', targets: [{ provider: 'sim', model: '*' }] }] })
  const page = await client.models.list()
  const ids = page.data.map((m) => m.id)
  assert.deepEqual(ids, ['ext-model', 'sim-model'])
  if (!loadOpenAISchemas()) return t.skip('../shared/openai-schemas.json is absent')
  assert.deepEqual(validateOpenAI('ListModelsResponse', { object: 'list', data: page.data }), [])
})

test('a glob model routes any matching name and passes it upstream', async (t) => {
  const { client } = await startE2E(t, { models: [{ name: 'any-*', targets: [{ provider: 'ext', model: '*' }] }] })
  const { data, response } = await client.chat.completions.create({ model: 'any-thing', messages: [{ role: 'user', content: 'x' }] }).withResponse()
  assert.equal(response.headers.get('x-llmgw-provider'), 'ext')
  assert.equal(data.object, 'chat.completion')
})
