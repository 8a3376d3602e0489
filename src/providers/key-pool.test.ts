/** Key pools (issue 13): the two strategies, benches by retry-after, and the keyed client's next-key retry. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { ClientSignal } from '../core/cancel.js'
import { GatewayError } from '../core/errors.js'
import { Secret } from '../core/secret.js'
import type { ProviderConfig } from './config.js'
import { benchKey, createKeyedClient, createKeySelector, DEFAULT_BENCH_MS, keyFingerprint, MAX_BENCH_MS, newKeyStat, parseKeyFile, type KeyStat } from './key-pool.js'
import type { AttemptSink, ProviderClient, UpstreamCall } from './types.js'

const stats = (n: number): KeyStat[] => Array.from({ length: n }, (_, i) => newKeyStat(`k${i}`))
const picks = (pick: (now: number) => number, n: number, now = 1000): number[] => Array.from({ length: n }, () => pick(now))

test('round-robin takes turns and skips benched keys', () => {
  const s = stats(3)
  const pick = createKeySelector(s, 'round-robin')
  assert.deepEqual(picks(pick, 6), [0, 1, 2, 0, 1, 2])
  benchKey(s[1]!, 429, 5000, 1000)
  assert.deepEqual(picks(pick, 4, 2000), [0, 2, 0, 2])
  // back once its retry-after has passed
  assert.deepEqual(picks(pick, 3, 6001), [0, 1, 2])
})

test('round-robin: every key benched -> -1; skip excludes keys already tried', () => {
  const s = stats(2)
  const pick = createKeySelector(s, 'round-robin')
  assert.equal(pick(0, new Set([0, 1])), -1)
  assert.equal(pick(0, new Set([0])), 1)
  benchKey(s[0]!, 401, undefined, 0)
  benchKey(s[1]!, 429, undefined, 0)
  assert.equal(pick(1), -1)
  assert.equal(pick(DEFAULT_BENCH_MS[429] + 1), 1, 'the 429 key returns first')
})

test('least-rate-limited prefers the key with the fewest recent 429s, taking turns among equals', () => {
  const s = stats(3)
  const pick = createKeySelector(s, 'least-rate-limited')
  assert.deepEqual(picks(pick, 3, 0), [0, 1, 2], 'all equal: round-robin')
  // key 0 was limited twice, key 1 once, both benches already over
  benchKey(s[0]!, 429, 0, 0)
  benchKey(s[0]!, 429, 0, 0)
  benchKey(s[1]!, 429, 0, 0)
  assert.deepEqual(picks(pick, 3, 10), [2, 2, 2])
  s[2]!.score = 3
  s[2]!.scoreAt = 10
  assert.deepEqual(picks(pick, 2, 10), [1, 1])
  // scores halve every minute: ten minutes later they are all near zero and close: the lowest still wins
  assert.equal(pick(600_000), 1)
})

test('least-rate-limited never picks a benched key, even with the lowest score', () => {
  const s = stats(2)
  const pick = createKeySelector(s, 'least-rate-limited')
  s[1]!.score = 5
  s[1]!.scoreAt = 0
  s[0]!.benchedUntil = 10_000
  assert.equal(pick(0), 1)
})

test('benchKey: retry-after wins over the default, capped, never shortened', () => {
  const s = newKeyStat('x')
  benchKey(s, 429, 2000, 100)
  assert.equal(s.benchedUntil, 2100)
  benchKey(s, 429, 10, 100)
  assert.equal(s.benchedUntil, 2100, 'a shorter second bench does not shorten the first')
  const u = newKeyStat('y')
  benchKey(u, 401, undefined, 0)
  assert.equal(u.benchedUntil, DEFAULT_BENCH_MS[401])
  assert.ok(DEFAULT_BENCH_MS[401] > DEFAULT_BENCH_MS[429])
  const big = newKeyStat('z')
  benchKey(big, 429, 10 * MAX_BENCH_MS, 0)
  assert.equal(big.benchedUntil, MAX_BENCH_MS)
})

test('fingerprint: first 8 hex of sha256; key files skip blanks and comments', () => {
  assert.equal(keyFingerprint('sk-abc'), createHash('sha256').update('sk-abc').digest('hex').slice(0, 8))
  assert.deepEqual(parseKeyFile('# keys\r\n sk-a \n\n  sk-b\n#sk-c\n'), ['sk-a', 'sk-b'])
})

/** Inner clients that answer per key: `plan[key]` is 'ok', 429, 401 or 500 (with an optional retry-after). */
function keyedFixture(plan: Record<string, 'ok' | 401 | 429 | 500>, retryAfterMs?: number) {
  const used: string[] = []
  const create = (cfg: ProviderConfig): ProviderClient => ({
    name: cfg.name,
    type: 'openai',
    async call(_req, sink) {
      const key = cfg.apiKey!.reveal()
      used.push(key)
      const r = plan[key]!
      if (r !== 'ok') throw new GatewayError('upstream_error', `answered ${r}`, { retryClass: 'status', upstreamStatus: r, ...(retryAfterMs !== undefined ? { upstreamRetryAfterMs: retryAfterMs } : {}) })
      sink.begin('application/json')
      sink.chunk('{}')
      return { usage: undefined, model: key, firstByteAt: 0 }
    },
    close: async () => {},
  })
  const kept = new Map<string, KeyStat>()
  const stat = (fp: string) => kept.get(fp) ?? (kept.set(fp, newKeyStat(fp)), kept.get(fp)!)
  const cfg: ProviderConfig = { name: 'p', type: 'openai', baseUrl: 'http://127.0.0.1:1', apiKey: undefined, apiKeys: Object.keys(plan).map((k) => new Secret(k)), headers: {}, timeoutMs: 1000, connections: 1 }
  const client = createKeyedClient(cfg, stat, create)
  const sink: AttemptSink = { begin() {}, chunk: () => true, drained: () => Promise.resolve() }
  const req = (): UpstreamCall => ({ endpoint: 'chat', body: { model: 'm' }, stream: false, clientWantsUsage: false, signal: new ClientSignal(), timeoutMs: 1000, clientFormat: 'openai' })
  return { client, used, kept, call: () => client.call(req(), sink) }
}

test('keyed client: a 429 on key A is retried on key B in the same call, and A stays benched', async () => {
  const f = keyedFixture({ 'sk-aaaaaaaa': 429, 'sk-bbbbbbbb': 'ok' }, 60_000)
  for (let i = 0; i < 4; i++) assert.equal((await f.call()).model, 'sk-bbbbbbbb')
  assert.deepEqual(f.used, ['sk-aaaaaaaa', 'sk-bbbbbbbb', 'sk-bbbbbbbb', 'sk-bbbbbbbb', 'sk-bbbbbbbb'])
  const a = f.kept.get(keyFingerprint('sk-aaaaaaaa'))!
  assert.equal(a.counts.rate_limited, 1)
  assert.ok(a.benchedUntil > Date.now() + 50_000)
  const view = [...f.client.pool.keys()]
  assert.deepEqual(view.map((k) => [k.key, k.benched]), [[keyFingerprint('sk-aaaaaaaa'), true], [keyFingerprint('sk-bbbbbbbb'), false]])
  assert.ok(!JSON.stringify(view).includes('sk-'), 'the view names keys by fingerprint only')
})

test('keyed client: every key 401 -> 503 upstream_unavailable with retry-after, each key tried once', async () => {
  const f = keyedFixture({ 'sk-one-11111': 401, 'sk-two-22222': 401 })
  const err = await f.call().then(() => undefined, (e: unknown) => e)
  assert.ok(err instanceof GatewayError)
  assert.equal(err.code, 'upstream_unavailable')
  assert.equal(err.status, 503)
  const ra = Number(err.extra.headers?.find(([h]) => h === 'retry-after')?.[1])
  assert.ok(ra >= DEFAULT_BENCH_MS[401] / 1000 - 1 && ra <= DEFAULT_BENCH_MS[401] / 1000, `retry-after ${ra}`)
  assert.equal(f.used.length, 2)
  assert.ok(!err.message.includes('sk-'))
  // the next call asks no upstream at all
  await assert.rejects(f.call(), { code: 'upstream_unavailable' })
  assert.equal(f.used.length, 2)
})

test('keyed client: other failures are not retried on another key (the model retry policy decides)', async () => {
  const f = keyedFixture({ 'sk-five-5555': 500, 'sk-good-6666': 'ok' })
  await assert.rejects(f.call(), (e: GatewayError) => e.extra.upstreamStatus === 500)
  assert.equal(f.used.length, 1)
  assert.equal(f.kept.get(keyFingerprint('sk-five-5555'))!.counts.error, 1)
})

test('keyed client: duplicate keys count once', () => {
  const f = keyedFixture({ 'sk-same-7777': 'ok' })
  const again = createKeyedClient(
    { name: 'p', type: 'openai', baseUrl: 'http://127.0.0.1:1', apiKey: undefined, apiKeys: [new Secret('sk-x'), new Secret('sk-x')], headers: {}, timeoutMs: 1, connections: 1 },
    newKeyStat,
    () => f.client,
  )
  assert.equal([...again.pool.keys()].length, 1)
})

test('keyed client: another key of the pool echoed in an upstream message is scrubbed', async () => {
  const keys = ['sk-echo-key-one-1111', 'sk-echo-key-two-2222']
  const client = createKeyedClient(
    { name: 'p', type: 'openai', baseUrl: 'http://127.0.0.1:1', apiKey: undefined, apiKeys: keys.map((k) => new Secret(k)), headers: {}, timeoutMs: 1, connections: 1 },
    newKeyStat,
    () => ({ name: 'p', type: 'openai', call: () => Promise.reject(new GatewayError('invalid_request', `bad: ${keys[1]} and ${keys[0]}`, { retryClass: 'status', upstreamStatus: 400 })), close: async () => {} }),
  )
  const sink: AttemptSink = { begin() {}, chunk: () => true, drained: () => Promise.resolve() }
  const err = await client.call({ endpoint: 'chat', body: {}, stream: false, clientWantsUsage: false, signal: new ClientSignal(), timeoutMs: 1, clientFormat: 'openai' }, sink).catch((e: unknown) => e)
  assert.ok(err instanceof GatewayError)
  assert.equal(err.code, 'invalid_request')
  assert.ok(!err.message.includes('sk-echo'), err.message)
})
