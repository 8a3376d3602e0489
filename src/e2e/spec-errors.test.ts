/** Black-box acceptance of the SPEC §4 error table: each status/code, the exact OpenAI error shape, rate-limit headers. */
import { type TestContext, test } from 'node:test'
import assert from 'node:assert/strict'
import { startTestGateway, startTestMock } from '../testing/harness.js'
import { loadOpenAISchemas, validateOpenAI } from '../testing/openai-schema.js'

const CLIENT_KEY = 'ck-spec-errors-client-1'
const OTHER_KEY = 'ck-spec-errors-client-2'
const EXPIRED_KEY = 'ck-spec-errors-expired-3'
const UPSTREAM_KEY = 'sk-spec-errors-upstream-4'
const messages = [{ role: 'user', content: 'hi' }]

interface Reply { status: number; headers: Headers; text: string; body: unknown }

async function call(url: string, init: { method?: string; body?: string | object; headers?: Record<string, string> } = {}): Promise<Reply> {
  const body = typeof init.body === 'object' ? JSON.stringify(init.body) : init.body
  const res = await fetch(url, {
    method: init.method ?? (body === undefined ? 'GET' : 'POST'),
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...init.headers },
    ...(body === undefined ? {} : { body }),
    signal: AbortSignal.timeout(8000),
  })
  const text = await res.text()
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    parsed = undefined
  }
  return { status: res.status, headers: res.headers, text, body: parsed }
}

/** SPEC §4: exactly {"error":{"message","type","param","code"}}, and OpenAI's ErrorResponse schema when present. */
function assertError(r: Reply, status: number, code: string, param: string | null = null): void {
  assert.equal(r.status, status, r.text)
  const body = r.body as { error: Record<string, unknown> }
  assert.deepEqual(Object.keys(body), ['error'], r.text)
  assert.deepEqual(Object.keys(body.error).sort(), ['code', 'message', 'param', 'type'], r.text)
  assert.equal(body.error.code, code, r.text)
  assert.equal(body.error.param, param, r.text)
  assert.equal(typeof body.error.message, 'string')
  assert.ok((body.error.message as string).length > 0)
  assert.equal(typeof body.error.type, 'string')
  assert.match(r.headers.get('content-type') ?? '', /application\/json/)
  if (loadOpenAISchemas()) assert.deepEqual(validateOpenAI('ErrorResponse', body), [])
  for (const secret of [CLIENT_KEY, OTHER_KEY, EXPIRED_KEY, UPSTREAM_KEY]) assert.ok(!r.text.includes(secret), 'error body shows a secret')
}

async function gateway(t: TestContext) {
  const mock = await startTestMock({ t, latencyMs: 0 })
  const base = { baseUrl: `${mock.url}/v1`, apiKey: UPSTREAM_KEY, type: 'openai' }
  const gw = await startTestGateway(
    {
      version: 1,
      server: { maxBodySize: '2kb', sseKeepalive: 0 },
      providers: [
        { name: 'ok', ...base, timeout: '5s' },
        { name: 'broken', ...base, timeout: '5s', headers: { 'x-mock-fail': '500' } },
        { name: 'slow', ...base, timeout: '300ms', headers: { 'x-mock-fail': 'hang' } },
        { name: 'misrouted', ...base, baseUrl: `${mock.url}/no-such-prefix`, timeout: '5s' },
        { name: 'narrow', ...base, timeout: '5s', headers: { 'x-mock-latency': '600ms' }, maxInFlight: 1, queue: { size: 1, timeout: '50ms' } },
      ],
      models: [
        { name: 'good', targets: [{ provider: 'ok', model: 'mock-1' }] },
        { name: 'other', targets: [{ provider: 'ok', model: 'mock-1' }] },
        { name: 'fails', targets: [{ provider: 'broken', model: 'mock-1' }], retry: { attempts: 2, backoff: '1ms' } },
        { name: 'hangs', targets: [{ provider: 'slow', model: 'mock-1' }], retry: { attempts: 1 } },
        { name: 'misrouted', targets: [{ provider: 'misrouted', model: 'mock-1' }], retry: { attempts: 1 } },
        { name: 'busy', targets: [{ provider: 'narrow', model: 'mock-1' }], retry: { attempts: 1 } },
      ],
      keys: [
        { id: 'main', key: CLIENT_KEY, models: ['good', 'fails', 'hangs', 'busy', 'misrouted'] },
        { id: 'limited', key: OTHER_KEY, limits: { rpm: 2 } },
        { id: 'old', key: EXPIRED_KEY, expires: '2020-01-01T00:00:00Z' },
      ],
    },
    { t },
  )
  return { gw, mock, auth: { authorization: `Bearer ${CLIENT_KEY}` } }
}

test('400 invalid_json / invalid_request with param; 404 model_not_found / not_found; 405 with allow; 413 request_too_large', async (t) => {
  const { gw, auth } = await gateway(t)
  const chat = `${gw.url}/v1/chat/completions`
  assertError(await call(chat, { body: '{"model": "good", "messages": [', headers: auth }), 400, 'invalid_json')
  assertError(await call(chat, { body: { messages }, headers: auth }), 400, 'invalid_request', 'model')
  assertError(await call(chat, { body: { model: 'good' }, headers: auth }), 400, 'invalid_request', 'messages')
  assertError(await call(chat, { body: { model: 'good', messages: 'hi' }, headers: auth }), 400, 'invalid_request', 'messages')
  assertError(await call(chat, { body: { model: 42, messages }, headers: auth }), 400, 'invalid_request', 'model')
  assertError(await call(chat, { body: { model: 'nope', messages }, headers: auth }), 404, 'model_not_found', 'model')
  assertError(await call(`${gw.url}/v1/no-such-path`, { headers: auth }), 404, 'not_found')
  const wrong = await call(chat, { method: 'GET', headers: auth })
  assertError(wrong, 405, 'method_not_allowed')
  assert.equal(wrong.headers.get('allow'), 'POST')
  const big = await call(chat, { body: { model: 'good', messages: [{ role: 'user', content: 'x'.repeat(5000) }] }, headers: auth })
  assertError(big, 413, 'request_too_large')
  // the gateway still serves after every bad input
  assert.equal((await call(chat, { body: { model: 'good', messages }, headers: auth })).status, 200)
})

test("/v1/messages answers its 405 and 413 in Anthropic's error shape like its other errors (the SPEC's code inside)", async (t) => {
  const { gw, auth } = await gateway(t)
  const url = `${gw.url}/v1/messages`
  const anthropicError = (r: Reply, status: number, type: string, code: string): void => {
    assert.equal(r.status, status, r.text)
    assert.deepEqual(r.body, { type: 'error', error: { type, message: (r.body as { error: { message: string } }).error.message, param: null, code } }, r.text)
  }
  const wrong = await call(url, { method: 'GET', headers: auth })
  anthropicError(wrong, 405, 'invalid_request_error', 'method_not_allowed')
  assert.equal(wrong.headers.get('allow'), 'POST')
  const big = { model: 'good', max_tokens: 5, messages: [{ role: 'user', content: 'x'.repeat(5000) }] }
  anthropicError(await call(url, { body: big, headers: auth }), 413, 'request_too_large', 'request_too_large')
  // chunked: the cap is found while reading, not from content-length
  const chunked = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...auth },
    body: new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode(JSON.stringify(big))); c.close() } }),
    duplex: 'half',
    signal: AbortSignal.timeout(8000),
  } as RequestInit).catch((e: unknown) => e)
  // the whole body is on the wire before the gateway answers, so its answer arrives (no reset): a check that can fail
  assert.ok(chunked instanceof Response, `no answer to the chunked upload: ${String(chunked)}`)
  anthropicError({ status: chunked.status, headers: chunked.headers, text: '', body: await chunked.json() }, 413, 'request_too_large', 'request_too_large')
})

test('401 invalid_api_key for missing, unknown and expired keys (Bearer and x-api-key); 403 model_not_allowed', async (t) => {
  const { gw } = await gateway(t)
  const chat = `${gw.url}/v1/chat/completions`
  const body = { model: 'good', messages }
  assertError(await call(chat, { body }), 401, 'invalid_api_key')
  assertError(await call(chat, { body, headers: { authorization: 'Bearer not-a-key' } }), 401, 'invalid_api_key')
  assertError(await call(chat, { body, headers: { 'x-api-key': 'not-a-key' } }), 401, 'invalid_api_key')
  assertError(await call(chat, { body, headers: { authorization: `Bearer ${EXPIRED_KEY}` } }), 401, 'invalid_api_key')
  assert.equal((await call(chat, { body, headers: { 'x-api-key': CLIENT_KEY } })).status, 200)
  assertError(await call(chat, { body: { model: 'other', messages }, headers: { authorization: `Bearer ${CLIENT_KEY}` } }), 403, 'model_not_allowed', 'model')
  const models = await call(`${gw.url}/v1/models`, { headers: { authorization: `Bearer ${CLIENT_KEY}` } })
  assert.equal(models.status, 200)
  const ids = (models.body as { data: Array<{ id: string }> }).data.map((m) => m.id).sort()
  assert.deepEqual(ids, ['busy', 'fails', 'good', 'hangs', 'misrouted'], 'GET /v1/models lists only the models this key may use')
  if (loadOpenAISchemas()) assert.deepEqual(validateOpenAI('ListModelsResponse', models.body), [])
})

test('429 rate_limit_exceeded carries retry-after (whole seconds) and the x-ratelimit-*-requests headers', async (t) => {
  const { gw } = await gateway(t)
  const chat = `${gw.url}/v1/chat/completions`
  const headers = { authorization: `Bearer ${OTHER_KEY}` }
  const first = await call(chat, { body: { model: 'good', messages }, headers })
  assert.equal(first.status, 200)
  assert.equal(first.headers.get('x-ratelimit-limit-requests'), '2')
  assert.equal(first.headers.get('x-ratelimit-remaining-requests'), '1')
  assert.ok(first.headers.get('x-ratelimit-reset-requests'))
  assert.equal((await call(chat, { body: { model: 'good', messages }, headers })).status, 200)
  const limited = await call(chat, { body: { model: 'good', messages }, headers })
  assertError(limited, 429, 'rate_limit_exceeded')
  assert.match(limited.headers.get('retry-after') ?? '', /^\d+$/)
  assert.ok(Number(limited.headers.get('retry-after')) >= 1)
  assert.equal(limited.headers.get('x-ratelimit-remaining-requests'), '0')
  const metrics = await (await fetch(`${gw.url}/metrics`)).text()
  assert.match(metrics, /^llmgw_ratelimit_rejections_total\{scope="[^"]+"\} 1$/m, 'SPEC §5: the rejection is counted')
})

test('502 upstream_error after retries and for an upstream 404, 504 upstream_timeout, 503 overloaded when the queue times out', async (t) => {
  const { gw, mock, auth } = await gateway(t)
  const chat = `${gw.url}/v1/chat/completions`
  const before = mock.stats().requests
  assertError(await call(chat, { body: { model: 'fails', messages }, headers: auth }), 502, 'upstream_error')
  assert.equal(mock.stats().requests - before, 2, 'retry.attempts: 2 means two upstream attempts')
  assertError(await call(chat, { body: { model: 'hangs', messages }, headers: auth }), 504, 'upstream_timeout')
  // an upstream 404 (wrong baseUrl) is the gateway's problem, not the client's: 502, not 400
  assertError(await call(chat, { body: { model: 'misrouted', messages }, headers: auth }), 502, 'upstream_error')
  const busy = () => call(chat, { body: { model: 'busy', messages }, headers: auth })
  const replies = await Promise.all([busy(), busy(), busy()])
  const statuses = replies.map((r) => r.status).sort()
  assert.equal(statuses[0], 200, 'the first request is served')
  const rejected = replies.filter((r) => r.status === 503)
  assert.ok(rejected.length >= 1, `maxInFlight 1 + queue timeout 50ms rejects some of 3 concurrent 600ms calls: ${statuses.join(',')}`)
  for (const r of rejected) assertError(r, 503, 'overloaded')
})
