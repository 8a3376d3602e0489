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
