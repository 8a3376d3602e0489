/** Limits through the real gateway with the openai SDK (maxRetries 0): tpm settles streamed usage, concurrency, budget, breaker, queue, JWT. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import OpenAI from 'openai'
import { SignJWT } from 'jose'
import { startTestGateway, startTestMock } from '../testing/harness.js'

const messages = [{ role: 'user' as const, content: 'Say something about rate limits, please.' }]
const KEY = 'llmgw-sdk-test-key'
const env = { ...process.env, SDK_KEY: KEY }
const client = (url: string, apiKey = KEY) => new OpenAI({ baseURL: `${url}/v1`, apiKey, maxRetries: 0 })
const sim = (mock: object = {}) => [{ name: 'sim', type: 'mock', mock }]
const model = (extra: object = {}) => [{ name: 'm', targets: [{ provider: 'sim', model: 'mock-1' }], ...extra }]
const remainingTokens = (h: Headers) => Number(h.get('x-ratelimit-remaining-tokens'))

test('tpm: a stream the client did not ask usage for still settles its real tokens (never zero, never the reservation)', async (t) => {
  // An external `llmgw mock` answering 1,500 tokens, against max_tokens 2,000: real usage and reservation differ by ~500.
  const mock = await startTestMock({ t })
  const gw = await startTestGateway(
    {
      version: 1,
      providers: [{ name: 'up', type: 'openai', baseUrl: `${mock.url}/v1`, apiKey: 'x', headers: { 'x-mock-answer-tokens': '1500' } }],
      models: [{ name: 'm', targets: [{ provider: 'up', model: 'mock-1' }] }],
      keys: [{ id: 'k', key: '${env:SDK_KEY}', limits: { tpm: 10_000 } }],
    },
    { t, env },
  )
  const c = client(gw.url)
  const body = { model: 'm', messages, max_tokens: 2_000 }
  const first = await c.chat.completions.create({ ...body, stream: true }).withResponse()
  let chunks = 0
  for await (const chunk of first.data) {
    assert.equal(chunk.usage ?? null, null, 'the usage chunk the gateway asked for is stripped')
    chunks++
  }
  assert.ok(chunks > 100)
  const reserved = 10_000 - remainingTokens(first.response.headers) // prompt estimate + 2,000
  assert.ok(reserved > 2_000)
  const second = await c.chat.completions.create(body).withResponse()
  // What the stream was settled at, less what the window refilled meanwhile (10,000/min: ~17 tokens per 100 ms).
  const used = 10_000 - remainingTokens(second.response.headers) - reserved
  assert.ok(used > 1_000, `the stream was recorded at ${used} tokens`)
  assert.ok(used < reserved - 300, `the stream kept its whole reservation (${used} of ${reserved})`)
})

test('concurrency: 6 parallel requests against a limit of 2 -> exactly 2 answered, 4 RateLimitError with retry-after', async (t) => {
  const gw = await startTestGateway(
    { version: 1, providers: sim({ latency: '400ms' }), models: model(), keys: [{ id: 'k', key: '${env:SDK_KEY}', limits: { concurrency: 2 } }] },
    { t, env },
  )
  const c = client(gw.url)
  const results = await Promise.allSettled(Array.from({ length: 6 }, () => c.chat.completions.create({ model: 'm', messages })))
  assert.equal(results.filter((r) => r.status === 'fulfilled').length, 2)
  for (const r of results.filter((x) => x.status === 'rejected')) {
    const e = (r as PromiseRejectedResult).reason
    assert.ok(e instanceof OpenAI.RateLimitError, String(e))
    assert.equal(e.headers?.get('retry-after'), '1')
  }
  await c.chat.completions.create({ model: 'm', messages }) // the slots came back
})

test('budget: priced usage accumulates across requests until 429 budget_exceeded, before any upstream call', async (t) => {
  const gw = await startTestGateway(
    {
      version: 1, providers: sim(), models: model({ pricing: { input: 10_000, output: 10_000 } }),
      keys: [{ id: 'k', key: '${env:SDK_KEY}', budget: { usd: 3, per: 'day' } }],
    },
    { t, env },
  )
  const c = client(gw.url)
  let answered = 0
  let refused: unknown
  for (let i = 0; i < 50 && !refused; i++) {
    try {
      await c.chat.completions.create({ model: 'm', messages, max_tokens: 20 })
      answered++
    } catch (e) {
      refused = e
    }
  }
  assert.ok(refused instanceof OpenAI.RateLimitError, String(refused))
  assert.equal((refused as InstanceType<typeof OpenAI.RateLimitError>).code, 'budget_exceeded')
  assert.ok(Number((refused as InstanceType<typeof OpenAI.RateLimitError>).headers?.get('retry-after')) >= 1)
  assert.ok(answered >= 3, `answered ${answered}`)
})

test('breaker: failures open it, then 503 upstream_unavailable without touching the upstream; a full queue is 503 overloaded', async (t) => {
  const mock = await startTestMock({ t })
  const gw = await startTestGateway(
    {
      version: 1,
      providers: [
        { name: 'up', type: 'openai', baseUrl: `${mock.url}/v1`, apiKey: 'x', headers: { 'x-mock-fail': '500' },
          breaker: { failureRate: 0.5, minRequests: 3, window: '10s', cooldown: '1m', halfOpenProbes: 1 } },
        { name: 'slow', type: 'mock', mock: { latency: '400ms' }, maxInFlight: 1, queue: { size: 0, timeout: '1s' } },
      ],
      models: [
        { name: 'm', targets: [{ provider: 'up', model: 'mock-1' }], retry: { attempts: 1 } },
        { name: 'q', targets: [{ provider: 'slow', model: 'mock-1' }], retry: { attempts: 1 } },
      ],
    },
    { t },
  )
  const c = client(gw.url, 'anything')
  for (let i = 0; i < 3; i++) await assert.rejects(c.chat.completions.create({ model: 'm', messages }), OpenAI.APIError)
  const hits = mock.stats().requests
  for (let i = 0; i < 5; i++) {
    await assert.rejects(c.chat.completions.create({ model: 'm', messages }), (e) => e instanceof OpenAI.APIError && e.status === 503 && e.code === 'upstream_unavailable')
  }
  assert.equal(mock.stats().requests, hits, 'no upstream calls while open')
  const burst = await Promise.allSettled([0, 1, 2].map(() => c.chat.completions.create({ model: 'q', messages })))
  assert.equal(burst.filter((r) => r.status === 'fulfilled').length, 1)
  for (const r of burst.filter((x) => x.status === 'rejected')) {
    const e = (r as PromiseRejectedResult).reason
    assert.ok(e instanceof OpenAI.APIError && e.status === 503 && e.code === 'overloaded', String(e))
  }
})

test('JWT HS256 via the SDK: a token mapped by keyClaim gets the key\'s scopes; a forged one is AuthenticationError', async (t) => {
  const secret = 'an-hs256-secret-long-enough-for-tests'
  const gw = await startTestGateway(
    {
      version: 1, providers: sim(), models: [...model(), { name: 'other', targets: [{ provider: 'sim', model: 'mock-1' }] }],
      keys: [{ id: 'team-a', key: '${env:SDK_KEY}', models: ['m'] }],
      auth: { jwt: { secret: '${env:JWT_SECRET}', issuer: 'https://id.test', keyClaim: 'sub' } },
    },
    { t, env: { ...env, JWT_SECRET: secret } },
  )
  const sign = (k: string) => new SignJWT({ sub: 'team-a' }).setProtectedHeader({ alg: 'HS256' }).setIssuer('https://id.test').setExpirationTime('5m').sign(new TextEncoder().encode(k))
  const c = client(gw.url, await sign(secret))
  const ok = await c.chat.completions.create({ model: 'm', messages })
  assert.ok(ok.choices.length > 0)
  await assert.rejects(c.chat.completions.create({ model: 'other', messages }), OpenAI.PermissionDeniedError)
  await assert.rejects(client(gw.url, await sign('another-secret-of-sufficient-length!')).chat.completions.create({ model: 'm', messages }), OpenAI.AuthenticationError)
})
