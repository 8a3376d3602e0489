/** The response cache shared through Redis (SPEC §3 "redis: shared limits, budgets, cache across replicas"; issue 13). */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { Redis } from 'ioredis'
import { startTestGateway, type TestGateway } from '../testing/harness.js'
import { PRIVATE_REDIS_SKIP, privateRedis, TEST_COMMAND_TIMEOUT } from '../testing/redis.js'
import { until } from '../testing/until.js'

const spec = (url: string, prefix: string, cacheMaxEntry = '256kb') => ({
  version: 1,
  providers: [{ name: 'sim', type: 'mock', mock: { latency: '1ms' } }],
  models: [{ name: 'm', targets: [{ provider: 'sim', model: 'mock-1' }], cache: { ttl: '1m' } }],
  state: { store: 'redis', redis: { url, prefix, cacheMaxEntry, commandTimeout: TEST_COMMAND_TIMEOUT } },
})

const ask = async (g: TestGateway, content: string): Promise<{ status: number; cache: string | null; body: string }> => {
  const r = await fetch(`${g.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content }] }),
  })
  return { status: r.status, cache: r.headers.get('x-llmgw-cache'), body: await r.text() }
}

test('two replicas on one redis: an answer cached by one is a HIT on the other, same bytes', { skip: PRIVATE_REDIS_SKIP }, async (t) => {
  const server = await privateRedis(t)
  const prefix = `c${randomUUID()}:`
  const a = await startTestGateway(spec(server.url, prefix), { t })
  const b = await startTestGateway(spec(server.url, prefix), { t })
  const first = await ask(a, 'shared?')
  assert.equal(first.cache, 'MISS')
  // The write to redis is not awaited by the response: poll redis for it, then B asks once (a MISS would fill B itself).
  const peer = new Redis(server.url)
  t.after(() => peer.disconnect())
  await until('the entry is in redis', async () => (await peer.keys(`${prefix}cache:*`)).length === 1)
  const onB = await ask(b, 'shared?')
  assert.equal(onB.cache, 'HIT', 'B never asked the upstream for this')
  assert.equal(onB.status, 200)
  assert.equal(onB.body, first.body)
  assert.equal((await ask(b, 'other question')).cache, 'MISS', 'a different request is not a hit')
})

test('answers over state.redis.cacheMaxEntry stay local; a redis outage turns shared lookups into misses, never errors', { skip: PRIVATE_REDIS_SKIP }, async (t) => {
  const server = await privateRedis(t)
  const prefix = `c${randomUUID()}:`
  const a = await startTestGateway(spec(server.url, prefix, '10b'), { t })
  const b = await startTestGateway(spec(server.url, prefix, '10b'), { t })
  assert.equal((await ask(a, 'big')).cache, 'MISS')
  assert.equal((await ask(a, 'big')).cache, 'HIT', 'kept in the replica that made it')
  const peer = new Redis(server.url)
  peer.on('error', () => undefined) // the kill below drops it too; without a listener ioredis prints 'Unhandled error event'
  t.after(() => peer.disconnect())
  assert.deepEqual(await peer.keys(`${prefix}cache:*`), [], 'nothing over cacheMaxEntry was written')
  assert.equal((await ask(b, 'big')).cache, 'MISS', 'not shared: over cacheMaxEntry')

  await server.kill()
  await until('the gateway sees the outage', async () => (await (await fetch(`${a.url}/readyz`)).status) === 503)
  assert.equal((await ask(a, 'big')).cache, 'HIT', 'the local tier still answers')
  const miss = await ask(b, 'new while down')
  assert.equal(miss.cache, 'MISS')
  assert.equal(miss.status, 200, 'no limits configured: the request needs no store and passes')
})
