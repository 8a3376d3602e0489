/** Black-box acceptance of spec policies (SPEC §3, §4, §7): rules, cache header, experiments, tpm/budget 429s, fallback, breaker 503. */
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { startTestGateway, startTestMock } from '../testing/harness.js'

const messages = [{ role: 'user', content: 'hi' }]
const KEYS = { any: 'ck-spec-policy-any-1', tpm: 'ck-spec-policy-tpm-2', budget: 'ck-spec-policy-budget-3' }

async function gateway(t: TestContext) {
  const mock = await startTestMock({ t, latencyMs: 0 })
  const up = { type: 'openai', baseUrl: `${mock.url}/v1`, apiKey: 'sk-spec-policy-upstream', timeout: '5s' }
  const gw = await startTestGateway(
    {
      version: 1,
      server: { sseKeepalive: 0 },
      providers: [
        { name: 'up', ...up },
        { name: 'down', ...up, headers: { 'x-mock-fail': '500' }, breaker: { failureRate: 0.5, minRequests: 2, window: '10s', cooldown: '30s', halfOpenProbes: 1 } },
      ],
      models: [
        { name: 'plain', targets: [{ provider: 'up', model: 'mock-1' }], pricing: { input: 1000, output: 1000 } },
        { name: 'cached', targets: [{ provider: 'up', model: 'mock-1' }], cache: { ttl: '5m' } },
        { name: 'gpt-sys', targets: [{ provider: 'up', model: 'mock-1' }] },
        { name: 'exp', targets: [{ provider: 'up', model: 'mock-1' }] },
        { name: 'down', targets: [{ provider: 'down', model: 'mock-1' }], retry: { attempts: 1 } },
        { name: 'rescued', targets: [{ provider: 'down', model: 'mock-1' }], retry: { attempts: 1 }, fallback: ['plain'] },
      ],
      keys: [
        { id: 'any', key: KEYS.any },
        { id: 'tpm', key: KEYS.tpm, limits: { tpm: 3000 } },
        { id: 'budget', key: KEYS.budget, budget: { usd: 0.05, per: 'day' } },
      ],
      rules: [
        { type: 'content-filter', words: ['forbidden-word'], action: 'block', scope: ['request'] },
        { type: 'content-filter', words: ['hushword'], action: 'mask', scope: ['request'] },
        { type: 'system-prompt', text: 'You are a very very very helpful assistant.', mode: 'prepend', models: ['gpt-*'] },
        { type: 'deny', when: { model: 'plain', header: { 'x-env': 'dev' } }, message: 'plain is not available from dev' },
      ],
      experiments: [
        { name: 'canary', model: 'exp', stickyBy: 'header:x-user-id', variants: [{ name: 'control', weight: 50 }, { name: 'canary', weight: 50, target: { provider: 'up', model: 'mock-2' } }] },
      ],
    },
    { t },
  )
  return { gw, mock }
}

async function chat(url: string, body: object, key: string = KEYS.any, headers: Record<string, string> = {}) {
  const res = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, ...headers },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(8000),
  })
  const json = (await res.json()) as { error?: { code: string; message: string }; usage?: { prompt_tokens: number } }
  return { status: res.status, headers: res.headers, json }
}

test('rules: content-filter block -> 400 content_filtered, deny -> 400 request_denied with its message; system-prompt reaches upstream', async (t) => {
  const { gw } = await gateway(t)
  const blocked = await chat(gw.url, { model: 'plain', messages: [{ role: 'user', content: 'a forbidden-word here' }] })
  assert.equal(blocked.status, 400)
  assert.equal(blocked.json.error?.code, 'content_filtered')
  const denied = await chat(gw.url, { model: 'plain', messages }, KEYS.any, { 'x-env': 'dev' })
  assert.equal(denied.status, 400)
  assert.equal(denied.json.error?.code, 'request_denied')
  assert.match(denied.json.error!.message, /plain is not available from dev/)
  assert.equal((await chat(gw.url, { model: 'plain', messages }, KEYS.any, { 'x-env': 'prod' })).status, 200)
  assert.equal((await chat(gw.url, { model: 'plain', messages: [{ role: 'user', content: 'a hushword here' }] })).status, 200, 'mask passes')
  const plain = await chat(gw.url, { model: 'plain', messages })
  const withSystem = await chat(gw.url, { model: 'gpt-sys', messages })
  assert.ok(withSystem.json.usage!.prompt_tokens > plain.json.usage!.prompt_tokens, 'the prepended system prompt is counted upstream')
})

test('cache: x-llmgw-cache MISS then HIT for the same request; llmgw_cache_requests_total moves', async (t) => {
  const { gw, mock } = await gateway(t)
  const body = { model: 'cached', messages: [{ role: 'user', content: 'cache me' }] }
  const first = await chat(gw.url, body)
  assert.equal(first.headers.get('x-llmgw-cache'), 'MISS')
  const upstreamCalls = mock.stats().requests
  const second = await chat(gw.url, body)
  assert.equal(second.headers.get('x-llmgw-cache'), 'HIT')
  assert.equal(mock.stats().requests, upstreamCalls, 'a HIT does not call upstream')
  assert.equal((await chat(gw.url, { model: 'plain', messages })).headers.get('x-llmgw-cache'), null, 'no header when cache is off')
  const metrics = await (await fetch(`${gw.url}/metrics`)).text()
  assert.match(metrics, /^llmgw_cache_requests_total\{result="hit"\} 1$/m)
  assert.match(metrics, /^llmgw_cache_requests_total\{result="miss"\} 1$/m)
})

test('experiments: x-llmgw-variant names the variant, sticky per header value', async (t) => {
  const { gw } = await gateway(t)
  const seen = new Map<string, string>()
  for (let i = 0; i < 12; i++) {
    const r = await chat(gw.url, { model: 'exp', messages }, KEYS.any, { 'x-user-id': `user-${i}` })
    assert.equal(r.status, 200)
    const variant = r.headers.get('x-llmgw-variant')
    assert.ok(variant === 'control' || variant === 'canary', `variant ${variant}`)
    assert.equal(r.headers.get('x-llmgw-model'), variant === 'canary' ? 'mock-2' : 'mock-1')
    seen.set(`user-${i}`, variant)
  }
  assert.equal(new Set(seen.values()).size, 2, '12 users at 50/50 see both variants')
  for (const [user, variant] of [...seen].slice(0, 4)) {
    assert.equal((await chat(gw.url, { model: 'exp', messages }, KEYS.any, { 'x-user-id': user })).headers.get('x-llmgw-variant'), variant)
  }
})

test('tpm: x-ratelimit-*-tokens headers, 429 before upstream when the reservation exceeds the limit; budget -> 429 budget_exceeded', async (t) => {
  const { gw, mock } = await gateway(t)
  const ok = await chat(gw.url, { model: 'plain', messages, max_tokens: 100 }, KEYS.tpm)
  assert.equal(ok.status, 200)
  assert.equal(ok.headers.get('x-ratelimit-limit-tokens'), '3000')
  assert.ok(Number(ok.headers.get('x-ratelimit-remaining-tokens')) < 3000)
  assert.ok(ok.headers.get('x-ratelimit-reset-tokens'))
  const before = mock.stats().requests
  const tooBig = await chat(gw.url, { model: 'plain', messages, max_tokens: 5000 }, KEYS.tpm)
  assert.equal(tooBig.status, 429)
  assert.equal(tooBig.json.error?.code, 'rate_limit_exceeded')
  assert.match(tooBig.headers.get('retry-after') ?? '', /^\d+$/)
  assert.equal(mock.stats().requests, before, 'refused at admission, no upstream call')
  // pricing 1000 USD / 1M tokens: each call reserves ~13 tokens = $0.013, so the 4th would pass $0.05
  const statuses: number[] = []
  let last: Awaited<ReturnType<typeof chat>> | undefined
  for (let i = 0; i < 6 && statuses.at(-1) !== 429; i++) {
    last = await chat(gw.url, { model: 'plain', messages, max_tokens: 10 }, KEYS.budget)
    statuses.push(last.status)
  }
  assert.equal(statuses.at(-1), 429, statuses.join(','))
  assert.ok(statuses.length >= 3, `some calls fit the budget first: ${statuses.join(',')}`)
  assert.equal(last!.json.error?.code, 'budget_exceeded')
  const metrics = await (await fetch(`${gw.url}/metrics`)).text()
  assert.match(metrics, /^llmgw_ratelimit_rejections_total\{scope="budget"\} 1$/m)
  assert.match(last!.headers.get('retry-after') ?? '', /^\d+$/)
})

test('failures: fallback to another model answers 200; an open breaker gives 503 upstream_unavailable', async (t) => {
  const { gw } = await gateway(t)
  const rescued = await chat(gw.url, { model: 'rescued', messages })
  assert.equal(rescued.status, 200)
  const codes: Array<string | undefined> = []
  for (let i = 0; i < 4; i++) {
    const r = await chat(gw.url, { model: 'down', messages })
    codes.push(r.json.error?.code)
    if (r.status === 503) assert.equal(r.json.error?.code, 'upstream_unavailable')
    else assert.equal(r.status, 502)
  }
  assert.equal(codes.at(-1), 'upstream_unavailable', codes.join(','))
  const metrics = await (await fetch(`${gw.url}/metrics`)).text()
  assert.match(metrics, /^llmgw_breaker_state\{provider="down"\} 1$/m, 'SPEC §5: 1 = open')
  assert.match(metrics, /^llmgw_breaker_state\{provider="up"\} 0$/m)
})
