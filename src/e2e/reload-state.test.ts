/**
 * SPEC §6 carry-over beyond limits and breakers: a rolled-back canary stays rolled back through unrelated reloads,
 * a response cache empties when its model is pointed at other upstream models, and what reloads leave behind is
 * dropped (the app's kept state stays bounded by the spec however many edits it sees).
 */
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { startTestGateway, startTestMock, type TestGateway } from '../testing/harness.js'
import { until } from '../testing/until.js'

async function setup(t: TestContext) {
  const mock = await startTestMock({ t, latencyMs: 0 })
  const up = { type: 'openai', baseUrl: `${mock.url}/v1`, apiKey: 'sk-reload-state-up', timeout: '5s' }
  const spec = (o: { extra?: string; canaryWeight?: number; cachedModel?: string } = {}) => ({
    version: 1,
    server: { sseKeepalive: 0 },
    providers: [{ name: 'up', ...up }, { name: 'down', ...up, headers: { 'x-mock-fail': '500' } }],
    models: [
      { name: 'exp', targets: [{ provider: 'up', model: 'mock-1' }], retry: { attempts: 1 } },
      { name: 'cached', targets: [{ provider: 'up', model: o.cachedModel ?? 'mock-1' }], cache: { ttl: '5m' } },
      ...(o.extra ? [{ name: o.extra, targets: [{ provider: 'up', model: 'mock-1' }] }] : []),
    ],
    experiments: [
      {
        name: 'canary',
        model: 'exp',
        stickyBy: 'header:x-user-id',
        variants: [{ name: 'control', weight: 1 }, { name: 'bad', weight: o.canaryWeight ?? 1000, target: { provider: 'down', model: 'mock-1' } }],
        rollback: { maxErrorRate: 0.1, minRequests: 3, window: '1m' },
      },
    ],
  })
  const gw = await startTestGateway(spec(), { t })
  const reload = async (next: object): Promise<void> => {
    await writeFile(gw.specFile, JSON.stringify(next))
    const res = await fetch(`${gw.url}/admin/reload`, { method: 'POST' })
    assert.equal(res.status, 200, await res.text())
  }
  return { gw, spec, reload }
}

async function chat(gw: TestGateway, model: string, user: string, content = 'hi') {
  const res = await fetch(`${gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-user-id': user },
    body: JSON.stringify({ model, messages: [{ role: 'user', content }] }),
    signal: AbortSignal.timeout(8000),
  })
  await res.arrayBuffer()
  return { status: res.status, variant: res.headers.get('x-llmgw-variant'), cache: res.headers.get('x-llmgw-cache') }
}

/** The variant that sticky id u0 gets, over a few ids (the canary weighs 1000 to 1: they all land on it). */
const variantsOf = async (gw: TestGateway): Promise<string> =>
  [...new Set(await Promise.all(['u0', 'u1', 'u2', 'u3'].map(async (u) => (await chat(gw, 'exp', u)).variant)))].join()

test('a rolled-back canary stays rolled back through an unrelated reload; editing the experiment starts it afresh', async (t) => {
  const { gw, spec, reload } = await setup(t)
  assert.equal(await variantsOf(gw), 'bad', 'before: the canary takes the traffic (and fails)')
  // failures are judged at most 4 times a second: keep failing until the rollback lands
  for (let i = 0; i < 100 && (await chat(gw, 'exp', 'u0')).variant === 'bad'; i++) await new Promise((r) => setTimeout(r, 50))
  assert.equal(await variantsOf(gw), 'control', 'rolled back')
  await reload(spec({ extra: 'other' }))
  assert.equal(await variantsOf(gw), 'control', 'an unrelated reload must not send traffic back to the failed canary')
  await reload(spec({ extra: 'other', canaryWeight: 999 }))
  assert.equal(await variantsOf(gw), 'bad', 'the experiment was edited: it starts afresh')
})

test('a response cache carries over an unrelated reload, and empties when its model gets other upstream models', async (t) => {
  const { gw, spec, reload } = await setup(t)
  assert.equal((await chat(gw, 'cached', 'u', 'remember me')).cache, 'MISS')
  assert.equal((await chat(gw, 'cached', 'u', 'remember me')).cache, 'HIT')
  await reload(spec({ extra: 'other' }))
  assert.equal((await chat(gw, 'cached', 'u', 'remember me')).cache, 'HIT', 'unrelated edit: the entry carried over')
  await reload(spec({ extra: 'other', cachedModel: 'mock-2' }))
  assert.equal((await chat(gw, 'cached', 'u', 'remember me')).cache, 'MISS', 'another upstream model: an old answer is not its answer')
})

test('state left behind by edited entities is dropped: after 30 edits the app keeps what one spec needs', async (t) => {
  const { gw, spec, reload } = await setup(t)
  await chat(gw, 'cached', 'u', 'fill')
  const kept = (): number => gw.app.stateSize!
  const base = kept()
  for (let i = 0; i < 30; i++) await reload(spec({ canaryWeight: 500 + i, cachedModel: `mock-${i}` }))
  assert.ok(base >= 2, `a cache and an experiment are kept: ${base}`)
  assert.equal(kept(), base, 'one cache and one experiment, not one per edit')
})

test('llmgw_breaker_state shows the breakers serving now: half-open once the cooldown ran out, closed after a reload reset it', async (t) => {
  const mock = await startTestMock({ t, latencyMs: 0 })
  const spec = (cooldown: string) => ({
    version: 1,
    providers: [{ name: 'down', type: 'openai', baseUrl: `${mock.url}/v1`, apiKey: 'x', headers: { 'x-mock-fail': '500' }, breaker: { failureRate: 0.5, minRequests: 2, window: '10s', cooldown, halfOpenProbes: 1 } }],
    models: [{ name: 'm', targets: [{ provider: 'down', model: 'mock-1' }], retry: { attempts: 1 } }],
  })
  const gw = await startTestGateway(spec('2s'), { t })
  const gauge = async (): Promise<number> => Number(/^llmgw_breaker_state\{provider="down"\} (\d)$/m.exec(await (await fetch(`${gw.url}/metrics`)).text())?.[1])
  for (let i = 0; i < 3; i++) await chat(gw, 'm', 'u')
  assert.equal(await gauge(), 1, 'open')
  // no request in between: the scrape itself sees the cooldown ran out (a deadline, not a timing assertion)
  await until('half-open after the cooldown', async () => (await gauge()) === 2)
  for (let i = 0; i < 3; i++) await chat(gw, 'm', 'u')
  assert.equal(await gauge(), 1, 'the probe failed: open again')
  await writeFile(gw.specFile, JSON.stringify(spec('30s')))
  assert.equal((await fetch(`${gw.url}/admin/reload`, { method: 'POST' })).status, 200)
  assert.equal(await gauge(), 0, 'the breaker changed: a fresh, closed one serves')
})

test('a provider\'s maxInFlight counts the requests admitted before a reload: no second cap\'s worth reaches it', async (t) => {
  const mock = await startTestMock({ t, latencyMs: 0 })
  const spec = (extra: string) => ({
    version: 1,
    providers: [{ name: 'slow', type: 'openai', baseUrl: `${mock.url}/v1`, apiKey: 'x', timeout: '10s', headers: { 'x-mock-latency': '3s' }, maxInFlight: 2, queue: { size: 0, timeout: '1s' } }],
    models: [{ name: 'm', targets: [{ provider: 'slow', model: 'mock-1' }] }, { name: extra, targets: [{ provider: 'slow', model: 'mock-1' }] }],
  })
  const gw = await startTestGateway(spec('a'), { t })
  const held = [chat(gw, 'm', 'u1'), chat(gw, 'm', 'u2')]
  await until('both requests upstream', async () => mock.stats().requests >= 2)
  await writeFile(gw.specFile, JSON.stringify(spec('b')))
  assert.equal((await fetch(`${gw.url}/admin/reload`, { method: 'POST' })).status, 200)
  const third = await chat(gw, 'm', 'u3')
  assert.equal(third.status, 503, 'the two admitted before the reload still hold the provider\'s two slots')
  assert.deepEqual((await Promise.all(held)).map((r) => r.status), [200, 200])
  assert.equal(mock.stats().requests, 2)
  assert.equal((await chat(gw, 'm', 'u4')).status, 200, 'the slots are free again')
})
