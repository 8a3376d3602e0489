/** Redis outages (issue 13, SPEC §3 state): a real redis-server killed and restarted under a running gateway. */
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { createRedisStore } from '../state/redis.js'
import { startTestGateway, type TestGateway } from '../testing/harness.js'
import { PRIVATE_REDIS_SKIP, privateRedis, TEST_COMMAND_TIMEOUT } from '../testing/redis.js'
import { until } from '../testing/until.js'

const KEY = 'client-key-outage'
const spec = (url: string, prefix: string, onUnavailable: 'closed' | 'open', rpm = 1000) => ({
  version: 1,
  providers: [{ name: 'sim', type: 'mock', mock: { latency: '1ms' } }],
  models: [{ name: 'm', targets: [{ provider: 'sim', model: 'mock-1' }], pricing: { input: 1000, output: 1000 } }],
  keys: [{ id: 'k', key: KEY, limits: { rpm, concurrency: 50 }, budget: { usd: 5, per: 'day' } }],
  state: { store: 'redis', onUnavailable, redis: { url, prefix, commandTimeout: TEST_COMMAND_TIMEOUT } },
})

interface Answer { status: number; code: string | undefined; ms: number }
const chat = async (g: TestGateway): Promise<Answer> => {
  const t0 = performance.now()
  const r = await fetch(`${g.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
    body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }], max_tokens: 16 }),
  })
  const body = (await r.json()) as { error?: { code?: string } }
  return { status: r.status, code: body.error?.code, ms: performance.now() - t0 }
}
const readyz = async (g: TestGateway): Promise<{ status: number; text: string }> => {
  const r = await fetch(`${g.url}/readyz`)
  return { status: r.status, text: await r.text() }
}
const metric = async (g: TestGateway, line: RegExp): Promise<number | undefined> => {
  const m = (await (await fetch(`${g.url}/metrics`)).text()).match(line)
  return m ? Number(m[1]) : undefined
}
const UP = /^llmgw_state_store_up (\d+)$/m

async function gatewayOn(t: TestContext, onUnavailable: 'closed' | 'open', rpm?: number) {
  const server = await privateRedis(t)
  const prefix = `o${randomUUID()}:`
  const logs: string[] = []
  const log = { info: (m: string) => logs.push(m), warn: (m: string) => logs.push(m), error: (m: string) => logs.push(m) }
  const g = await startTestGateway(spec(server.url, prefix, onUnavailable, rpm), { t, log })
  const peer = createRedisStore({ url: server.url, prefix })
  t.after(() => peer.close())
  return { server, g, logs, budget: () => peer.budget('key:k:usd:5', 5, 'day').spent() as Promise<number> }
}

/** Spend is settled just after each response: wait until it stops moving. After a restart the peer connection
 * may still be reconnecting (no offline queue: its reads fail at once), so a failed read is just another poll. */
async function settledSpend(spent: () => Promise<number>): Promise<number> {
  const read = () => spent().catch(() => -1)
  let last = -1
  let now = await read()
  await until('the spend settles', async () => {
    last = now
    await new Promise((r) => setTimeout(r, 150))
    now = await read()
    return now === last && now > 0
  })
  return now
}

test('closed: redis killed -> 503 upstream_unavailable at once, /readyz 503, gauge 0, one log line; back -> 200 with the budget unchanged', { skip: PRIVATE_REDIS_SKIP }, async (t) => {
  const { server, g, logs, budget } = await gatewayOn(t, 'closed')
  for (let i = 0; i < 3; i++) {
    const a = await chat(g)
    assert.equal(a.status, 200, `${a.code} after ${a.ms.toFixed(0)} ms; logs: ${logs.join(' | ')}`)
  }
  assert.deepEqual(await readyz(g), { status: 200, text: 'ready' })
  assert.equal(await metric(g, UP), 1)
  const spentBefore = await settledSpend(budget)

  await server.kill() // SIGKILL, no persistence: the redis that comes back is empty
  await until('/readyz reports the store', async () => (await readyz(g)).status === 503)
  assert.deepEqual(await readyz(g), { status: 503, text: 'state store unavailable' })
  const answers: Answer[] = []
  for (let i = 0; i < 10; i++) answers.push(await chat(g))
  assert.deepEqual(answers.map((a) => [a.status, a.code]), Array(10).fill([503, 'upstream_unavailable']))
  t.diagnostic(`closed-mode answers while redis is down: max ${Math.max(...answers.map((a) => a.ms)).toFixed(1)} ms`)
  assert.equal(await metric(g, UP), 0)
  assert.ok((await metric(g, /^llmgw_state_store_unavailable_total\{action="rejected"\} (\d+)$/m))! >= 10)
  assert.equal(logs.filter((l) => /state store \(redis\) is unavailable/.test(l)).length, 1, `one line per outage: ${logs.join(' | ')}`)

  await server.start()
  await until('/readyz is 200 again', async () => (await readyz(g)).status === 200)
  assert.equal(await metric(g, UP), 1)
  assert.equal((await chat(g)).status, 200)
  assert.ok(logs.some((l) => /available again/.test(l)))
  // The restarted redis was empty; the gateway restored the day's spend it last saw, then the new request added to it.
  const spentAfter = await settledSpend(budget)
  assert.ok(spentAfter > spentBefore && spentAfter < spentBefore * 2, `spend ${spentBefore} -> ${spentAfter}: not reset to one request's cost`)
})

test('closed under light load: killing and restarting redis gives only 200 or 503 upstream_unavailable, never a 500, and recovers', { skip: PRIVATE_REDIS_SKIP }, async (t) => {
  const { server, g } = await gatewayOn(t, 'closed')
  const seen = new Map<string, number>()
  let stop = false
  const loop = async (): Promise<void> => {
    for (let i = 0; i < 2000 && !stop; i++) {
      const a = await chat(g)
      const k = `${a.status} ${a.code ?? ''}`.trim()
      seen.set(k, (seen.get(k) ?? 0) + 1)
    }
  }
  const loops = Array.from({ length: 4 }, loop)
  await until('some requests pass', async () => (seen.get('200') ?? 0) > 20)
  await server.kill()
  await until('requests are refused', async () => (seen.get('503 upstream_unavailable') ?? 0) > 20)
  await server.start()
  const passedBefore = seen.get('200') ?? 0
  await until('requests pass again', async () => (seen.get('200') ?? 0) > passedBefore + 20)
  stop = true
  await Promise.all(loops)
  assert.deepEqual([...seen.keys()].sort(), ['200', '503 upstream_unavailable'], JSON.stringify([...seen]))
})

test('open: redis killed -> requests pass on per-process limits, /readyz stays 200, the gauge and counter say so', { skip: PRIVATE_REDIS_SKIP }, async (t) => {
  const { server, g, logs } = await gatewayOn(t, 'open', 3)
  assert.equal((await chat(g)).status, 200)
  await server.kill()
  await until('the gauge reports the outage', async () => (await metric(g, UP)) === 0)
  const statuses = []
  for (let i = 0; i < 4; i++) statuses.push((await chat(g)).status)
  assert.deepEqual(statuses, [200, 200, 200, 429], 'rpm 3 is enforced in this process while redis is away')
  assert.deepEqual(await readyz(g), { status: 200, text: 'ready' })
  assert.ok((await metric(g, /^llmgw_state_store_unavailable_total\{action="local"\} (\d+)$/m))! > 0)
  assert.equal(logs.filter((l) => /limits and budgets are enforced per process/.test(l)).length, 1, logs.join(' | '))
  await server.start()
  await until('the gauge reports the return', async () => (await metric(g, UP)) === 1)
  assert.equal((await chat(g)).status, 200, 'back on redis, whose window saw one request')
})


test('open: a redis that is down at start -> serve starts on local limits and moves to redis when it answers', { skip: PRIVATE_REDIS_SKIP }, async (t) => {
  const server = await privateRedis(t)
  await server.kill()
  const logs: string[] = []
  const log = { info: (m: string) => logs.push(m), warn: (m: string) => logs.push(m), error: (m: string) => logs.push(m) }
  const g = await startTestGateway(spec(server.url, `s${randomUUID()}:`, 'open', 2), { t, log })
  assert.ok(logs.some((l) => /unavailable at start/.test(l)), logs.join(' | '))
  assert.equal(await metric(g, UP), 0)
  assert.deepEqual([(await chat(g)).status, (await chat(g)).status, (await chat(g)).status], [200, 200, 429])
  await server.start()
  await until('the store comes up', async () => (await metric(g, UP)) === 1)
  assert.equal((await chat(g)).status, 200, 'redis has its own window')
})
