/** state.store: redis (SPEC §3, §7): two gateways sharing one redis-server enforce one rpm limit together. */
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createRedisStore } from '../state/redis.js'
import { spawnCli } from '../testing/cli-child.js'
import { startTestGateway } from '../testing/harness.js'
import { freePort, REDIS_SKIP, TEST_COMMAND_TIMEOUT, testRedisUrl } from '../testing/redis.js'

const SKIP = REDIS_SKIP
const redisUrl = testRedisUrl

const spec = (url: string, prefix: string) => ({
  version: 1,
  providers: [{ name: 'sim', type: 'mock', mock: { latency: '1ms' } }],
  models: [{ name: 'm', targets: [{ provider: 'sim', model: 'mock-1' }] }],
  keys: [{ id: 'k', key: 'client-key-123', limits: { rpm: 3 } }],
  state: { store: 'redis', redis: { url, prefix, commandTimeout: TEST_COMMAND_TIMEOUT } },
})

const chat = async (url: string): Promise<number> => {
  const r = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer client-key-123' },
    body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }),
  })
  await r.arrayBuffer()
  return r.status
}

test('two gateways sharing a redis store admit rpm 3 together, not 3 each', { skip: SKIP }, async (t) => {
  const url = await redisUrl(t)
  const prefix = `e2e${process.pid}${Date.now()}:`
  const a = await startTestGateway(spec(url, prefix), { t })
  const b = await startTestGateway(spec(url, prefix), { t })
  const statuses = [await chat(a.url), await chat(b.url), await chat(a.url), await chat(b.url), await chat(a.url)]
  assert.deepEqual(statuses, [200, 200, 200, 429, 429])
})

test('a redis that cannot be reached at start: serve exits 1 with a clear message, no password in it', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'llmgw-redis-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  const port = await freePort()
  await writeFile(join(dir, 'spec.json'), JSON.stringify(spec(`redis://:SECRETPW@127.0.0.1:${port}`, 'x:')))
  const child = spawnCli(['serve', '-c', join(dir, 'spec.json'), '--port', '0', '--no-watch', '--no-dashboard'], { cwd: dir, t })
  assert.equal(await child.exited, 1)
  assert.match(child.stderr(), /state\.store is redis but redis:\/\/:\[redacted\]@127\.0\.0\.1:\d+ cannot be reached/)
  assert.ok(!child.stderr().includes('SECRETPW'))
})
