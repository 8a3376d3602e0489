/** Access control wired through the app (SPEC §3 keys, limits; §4 401/403/429): the SDK sees OpenAI's error classes. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import OpenAI from 'openai'
import { startTestGateway } from '../testing/harness.js'

const spec = {
  version: 1,
  providers: [{ name: 'sim', type: 'mock' }],
  models: [
    { name: 'open', targets: [{ provider: 'sim', model: 'mock-1' }] },
    { name: 'closed', targets: [{ provider: 'sim', model: 'mock-1' }] },
  ],
  keys: [{ id: 'team-a', key: '${env:TEAM_A_KEY}', models: ['open'], limits: { rpm: 3 } }],
}
const messages = [{ role: 'user' as const, content: 'hi' }]

test('keys: 401 without a key, 403 for a model out of scope, 429 with retry-after past rpm, the key never echoed', async (t) => {
  const gw = await startTestGateway(spec, { t, env: { ...process.env, TEAM_A_KEY: 'llmgw-team-a-secret' } })
  const client = (apiKey: string) => new OpenAI({ baseURL: `${gw.url}/v1`, apiKey, maxRetries: 0 })
  await assert.rejects(client('wrong').chat.completions.create({ model: 'open', messages }), OpenAI.AuthenticationError)
  const ok = client('llmgw-team-a-secret')
  await assert.rejects(ok.chat.completions.create({ model: 'closed', messages }), OpenAI.PermissionDeniedError)
  const models = await ok.models.list()
  assert.deepEqual(models.data.map((m) => m.id), ['open'])
  let limited: unknown
  for (let i = 0; i < 5 && !limited; i++) {
    try {
      await ok.chat.completions.create({ model: 'open', messages })
    } catch (e) {
      limited = e
    }
  }
  assert.ok(limited instanceof OpenAI.RateLimitError, String(limited))
  assert.ok(Number((limited as InstanceType<typeof OpenAI.RateLimitError>).headers?.get('retry-after')) >= 1)
  assert.doesNotMatch(JSON.stringify((limited as { error?: unknown }).error), /llmgw-team-a-secret/)
})

test('GET /v1/models/{id} (the SDK\'s models.retrieve): the model when the key may use it, 404 model_not_found otherwise, 401 without a key', async (t) => {
  const gw = await startTestGateway(
    { ...spec, models: [...spec.models, { name: 'org/model v2', targets: [{ provider: 'sim', model: 'mock-1' }] }, { name: 'org/glob-*', targets: [{ provider: 'sim', model: '*' }] }], keys: [{ ...spec.keys[0]!, models: ['open', 'org/*'] }] },
    { t, env: { ...process.env, TEAM_A_KEY: 'llmgw-team-a-secret' } },
  )
  const ok = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'llmgw-team-a-secret', maxRetries: 0 })
  const m = await ok.models.retrieve('open')
  assert.deepEqual([m.id, m.object, m.owned_by, typeof m.created], ['open', 'model', 'llmgw', 'number'])
  const encoded = await fetch(`${gw.url}/v1/models/${encodeURIComponent('org/model v2')}`, { headers: { authorization: 'Bearer llmgw-team-a-secret' } })
  assert.equal(((await encoded.json()) as { id: string }).id, 'org/model v2', 'a percent-encoded id is decoded')
  assert.equal((await ok.models.retrieve('org/glob-7')).id, 'org/glob-7', 'a name a glob model serves')
  for (const id of ['closed', 'nope']) {
    const e = await ok.models.retrieve(id).catch((err: unknown) => err)
    assert.ok(e instanceof OpenAI.NotFoundError, `${id}: ${String(e)}`)
    assert.equal((e as { code?: string }).code, 'model_not_found')
  }
  await assert.rejects(new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'wrong', maxRetries: 0 }).models.retrieve('open'), OpenAI.AuthenticationError)
  const post = await fetch(`${gw.url}/v1/models/open`, { method: 'POST' })
  assert.equal(post.status, 405)
})
