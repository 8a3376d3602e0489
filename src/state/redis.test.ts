/** The Redis store against a real redis-server on a free loopback port: exact across two store instances (replicas). */
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { createRedisStore, type RedisStore } from './redis.js'
import { REDIS_SKIP, testRedisUrl } from '../testing/redis.js'

const SKIP = REDIS_SKIP

/** A private redis-server for this test file; two store instances on it stand for two gateway replicas. */
async function startRedis(t: TestContext): Promise<{ a: RedisStore; b: RedisStore }> {
  const url = await testRedisUrl(t)
  const prefix = `t${randomUUID()}:`
  const a = createRedisStore({ url, prefix })
  const b = createRedisStore({ url, prefix })
  t.after(async () => { await a.close(); await b.close() })
  for (let i = 0; i < 50; i++) {
    try { await a.gauge('ping', 1).held(); return { a, b } } catch { await new Promise((r) => setTimeout(r, 100)) }
  }
  throw new Error('redis-server did not start')
}

test('redis store: rpm, tpm with settle, gauges and budgets are exact across two replicas', { skip: SKIP }, async (t) => {
  const { a, b } = await startRedis(t)
  const ra = a.rate('rpm:k', 10, 60_000)
  const rb = b.rate('rpm:k', 10, 60_000)
  const verdicts = await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 ? ra : rb).take(1)))
  assert.equal(verdicts.filter((v) => v.ok).length, 10)
  const refused = verdicts.find((v) => !v.ok)!
  assert.ok(refused.retryAfterMs > 5_000 && refused.retryAfterMs <= 6_000, `retry after ${refused.retryAfterMs}`)

  const tpm = a.rate('tpm:k', 1_000, 60_000)
  assert.equal((await tpm.take(600)).ok, true)
  assert.equal((await b.rate('tpm:k', 1_000, 60_000).take(600)).ok, false)
  await tpm.settle(-500)
  const v = await tpm.take(600)
  assert.equal(v.ok, true)
  assert.ok(v.remaining >= 300 && v.remaining <= 301, `remaining ${v.remaining}`)

  const ga = a.gauge('conc:k', 2)
  const gb = b.gauge('conc:k', 2)
  // Two connections: which replica's request reaches redis first is not fixed, only that exactly two are admitted.
  const held = await Promise.all([ga.acquire(), gb.acquire(), ga.acquire()])
  assert.equal(held.filter(Boolean).length, 2, `admitted ${held}`)
  assert.equal(await gb.acquire(), false, 'the gauge is full for the other replica too')
  await (held[1] ? gb : ga).release()
  assert.equal(await ga.acquire(), true)
  assert.equal(await gb.acquire(), false)

  const ip = a.keyedRate('ip', 2, 60_000)
  assert.deepEqual((await Promise.all([ip.take('10.0.0.1', 1), ip.take('10.0.0.1', 1), ip.take('10.0.0.1', 1)])).map((x) => x.ok), [true, true, false])
  assert.equal((await b.keyedRate('ip', 2, 60_000).take('10.0.0.2', 1)).ok, true)

  const now = Date.UTC(2026, 4, 10, 12)
  const ba = a.budget('usd:k', 1, 'day')
  const r1 = await ba.reserve(0.6, now)
  assert.equal(r1.ok, true)
  assert.equal((await b.budget('usd:k', 1, 'day').reserve(0.6, now)).ok, false)
  await ba.settle(r1.window, -0.5, 0.1, now)
  assert.equal((await b.budget('usd:k', 1, 'day').reserve(0.6, now)).ok, true)
  assert.equal((await ba.reserve(0.6, now + 86_400_000)).ok, true, 'the next UTC day starts from zero')
})

test('compileAccess over the redis store: concurrent admissions from two replicas admit exactly the limit', { skip: SKIP }, async (t) => {
  const { compileAccess } = await import('../stages/access.js')
  const { Secret } = await import('../core/secret.js')
  const { a, b } = await startRedis(t)
  const cfg = { keys: [{ id: 'k', key: new Secret('sk-r'), limits: { rpm: 5, tpm: 100_000 } }] }
  const replicas = [compileAccess(cfg, { store: a }), compileAccess(cfg, { store: b })]
  const ex = { ip: '127.0.0.1', headers: { authorization: 'Bearer sk-r' } } as never
  const results = await Promise.allSettled(Array.from({ length: 15 }, (_, i) => {
    const access = replicas[i % 2]!
    const cx = { ex, model: 'm', caller: access.authenticate!(ex), headers: [], reservedTokens: () => 100, reservedCostUsd: () => 0, onEnd: () => {} }
    return Promise.resolve(access.admit!(cx as never))
  }))
  assert.equal(results.filter((r) => r.status === 'fulfilled').length, 5)
  const err = (results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason
  assert.equal(err.code, 'rate_limit_exceeded')
  assert.ok(Number(err.extra.headers.find(([n]: [string]) => n === 'retry-after')[1]) >= 1)
})
