/** state.onUnavailable against a real redis-server that is killed and restarted mid-test (issue 13). */
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { GatewayError } from '../core/errors.js'
import { privateRedis, PRIVATE_REDIS_SKIP, TEST_COMMAND_TIMEOUT_MS, type PrivateRedis } from '../testing/redis.js'
import { until } from '../testing/until.js'
import { createFailoverStore, type FailoverStore, type UnavailablePolicy } from './failover.js'
import { createMemoryStore } from './memory.js'
import { createRedisStore, type RedisStore } from './redis.js'

interface Setup {
  server: PrivateRedis
  store: FailoverStore
  /** A second, plain connection: what Redis holds, as another replica sees it. */
  peer: RedisStore
  changes: boolean[]
  unavailable: string[]
}

async function setup(t: TestContext, policy: UnavailablePolicy, commandTimeoutMs = TEST_COMMAND_TIMEOUT_MS): Promise<Setup> {
  const server = await privateRedis(t)
  const prefix = `f${randomUUID()}:`
  const redis = createRedisStore({ url: server.url, prefix, commandTimeoutMs })
  const peer = createRedisStore({ url: server.url, prefix })
  await until('both connections are ready', async () => redis.connected && peer.connected)
  const changes: boolean[] = []
  const unavailable: string[] = []
  const store = createFailoverStore(redis, createMemoryStore(), policy, {
    onChange: (up) => changes.push(up),
    onUnavailable: (a) => unavailable.push(a),
  })
  t.after(async () => { await store.close(); await peer.close() })
  return { server, store, peer, changes, unavailable }
}

const isUnavailable = (e: unknown): boolean => e instanceof GatewayError && e.code === 'upstream_unavailable' && e.status === 503

test('closed: a killed redis refuses every operation with 503 upstream_unavailable, without sending it; recovery is automatic', { skip: PRIVATE_REDIS_SKIP }, async (t) => {
  const { server, store, changes, unavailable } = await setup(t, 'closed')
  const rpm = store.rate('rpm:k', 100, 60_000)
  assert.equal((await rpm.take(1)).ok, true)
  assert.equal(store.up, true)

  await server.kill()
  await until('the store sees the outage', async () => !store.up)
  assert.deepEqual(changes, [false], 'one transition per outage')
  for (let i = 0; i < 5; i++) await assert.rejects(Promise.resolve(rpm.take(1)), isUnavailable)
  await assert.rejects(Promise.resolve(store.gauge('c:k', 2).acquire()), isUnavailable)
  await assert.rejects(Promise.resolve(store.budget('usd:k', 1, 'day').reserve(0.1)), isUnavailable)
  assert.equal(unavailable.length, 7)
  assert.ok(unavailable.every((a) => a === 'rejected'))
  assert.deepEqual(changes, [false], 'still one transition: refusals do not flap the state')

  await server.start()
  await until('the store is up again', async () => store.up)
  assert.deepEqual(changes, [false, true])
  assert.equal((await rpm.take(1)).ok, true)
})

test('open: while redis is down each process enforces the limits locally, and says so per operation', { skip: PRIVATE_REDIS_SKIP }, async (t) => {
  const { server, store, unavailable } = await setup(t, 'open')
  const rpm = store.rate('rpm:k', 2, 60_000)
  await server.kill()
  await until('the store sees the outage', async () => !store.up)
  const verdicts = [await rpm.take(1), await rpm.take(1), await rpm.take(1)]
  assert.deepEqual(verdicts.map((v) => v.ok), [true, true, false], 'rpm 2 still holds, counted in this process')
  const gauge = store.gauge('c:k', 1)
  assert.equal(await gauge.acquire(), true)
  assert.equal(await gauge.acquire(), false, 'local concurrency limit')
  await gauge.release()
  assert.equal(await gauge.acquire(), true, 'a local release frees the local slot')
  assert.ok(unavailable.length >= 6 && unavailable.every((a) => a === 'local'))
  await server.start()
  await until('the store is up again', async () => store.up)
  assert.equal((await rpm.take(1)).ok, true, 'back on redis: its window never saw the local takes')
})

test('budgets survive an outage: spend settled while down is added on return, and a window redis lost is restored', { skip: PRIVATE_REDIS_SKIP }, async (t) => {
  const { server, store, peer } = await setup(t, 'closed')
  const meter = store.budget('usd:k', 10, 'day')
  const v = await meter.reserve(2)
  assert.equal(v.ok, true)
  await meter.settle(v.window, 1, 3) // the answer cost 3
  const held = await meter.reserve(1) // a request in flight when redis dies
  assert.equal(await peer.budget('usd:k', 10, 'day').spent(), 4)

  await server.kill() // SIGKILL without persistence: the restarted server is empty
  await until('the store sees the outage', async () => !store.up)
  await meter.settle(held.window, 0.5, 1.5) // it finishes during the outage, costing 1.5
  await server.start()
  await until('the store and the peer are up again', async () => store.up && peer.connected)
  assert.equal(await peer.budget('usd:k', 10, 'day').spent(), 4.5, 'redis holds the spend from before the outage plus what was settled during it')
  assert.equal((await meter.reserve(6)).ok, false, 'the budget did not reset: 4.5 + 6 > 10')
  assert.equal((await meter.reserve(5.5)).ok, true)
})

test('a concurrency slot held when redis dies is released on its return, so no slot leaks', { skip: PRIVATE_REDIS_SKIP }, async (t) => {
  const { server, store, peer } = await setup(t, 'closed')
  const gauge = store.gauge('c:k', 1)
  assert.equal(await gauge.acquire(), true)
  // Redis loses the connection but not its data (a network drop): the held slot is still counted there.
  await peer.client.client('KILL', 'TYPE', 'normal', 'SKIPME', 'yes')
  await until('the store sees the drop', async () => !store.up)
  await gauge.release() // cannot reach redis: owed
  await until('the store is up again', async () => store.up)
  await until('the owed release reached redis', async () => (await peer.gauge('c:k', 1).held()) === 0)
  assert.equal(await gauge.acquire(), true, 'the slot is free again')
  void server
})

test('a redis that hangs (SIGSTOP) costs one commandTimeout, then the store is down for everyone until it answers again', { skip: PRIVATE_REDIS_SKIP }, async (t) => {
  // The deadline is what this test is about: short, but with room for a loaded runner before the pause.
  const { server, store, changes } = await setup(t, 'closed', 600)
  const rpm = store.rate('rpm:k', 100, 60_000)
  assert.equal((await rpm.take(1)).ok, true)
  server.pause()
  t.after(() => server.resume())
  // The connection stays open: only the command deadline notices. The first take waits for it, then is refused.
  await assert.rejects(Promise.resolve(rpm.take(1)), isUnavailable)
  assert.equal(store.up, false)
  assert.deepEqual(changes, [false])
  await assert.rejects(Promise.resolve(rpm.take(1)), isUnavailable) // refused without sending
  server.resume()
  await until('a ping answers and the store is up again', async () => store.up)
  assert.equal((await rpm.take(1)).ok, true)
})
