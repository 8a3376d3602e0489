/** The upstream error map on loopback with real undici: refused, reset, bad JSON, broken SSE, hang, statuses, no secret leaks. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { GatewayError } from '../core/errors.js'
import { Secret } from '../core/secret.js'
import { startMockServer } from '../mock/server.js'
import type { ProviderConfig } from './config.js'
import { createProviderClient } from './index.js'
import type { AttemptSink, ProviderClient, UpstreamCall } from './types.js'
import { mapStatusError } from './upstream-errors.js'
import { upstreamCall } from '../testing/upstream-call.js'

type After = { after(fn: () => unknown): void }
const KEY = 'sk-test-secret-123'
const HEADER_SECRET = 'hv-static-secret-456'

function memorySink() {
  const s = { begun: false, parts: [] as string[] }
  const sink: AttemptSink = {
    begin: () => void (s.begun = true),
    chunk: (b) => (s.parts.push(typeof b === 'string' ? b : Buffer.from(b).toString()), true),
    drained: () => Promise.resolve(),
  }
  return Object.assign(sink, { state: s })
}
const cfg = (baseUrl: string): ProviderConfig => ({ name: 'up', type: 'openai', baseUrl, apiKey: new Secret(KEY), headers: { 'x-team-token': HEADER_SECRET }, timeoutMs: 5000, connections: 2 })
const chat = { model: 'mock-1', messages: [{ role: 'user', content: 'hi' }] }
const call = (o: Partial<UpstreamCall> = {}): UpstreamCall => upstreamCall(chat, o)

async function viaMock(t: After): Promise<ProviderClient> {
  const m = await startMockServer({})
  const c = createProviderClient(cfg(`${m.url}/v1`))
  t.after(async () => {
    await c.close()
    await m.close()
  })
  return c
}

async function failure(c: ProviderClient, o: Partial<UpstreamCall>) {
  const sink = memorySink()
  const err = await c.call(call(o), sink).then(
    () => assert.fail('expected a failure'),
    (e: unknown) => e,
  )
  assert.ok(err instanceof GatewayError, String(err))
  assert.ok(!JSON.stringify({ m: err.message, b: err.body() }).includes(KEY), 'no key in the error')
  return { err, begun: sink.state.begun }
}

test('refused connection -> upstream_error, retry class connect, no address in the message', async (t) => {
  const srv = createServer()
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r))
  const port = (srv.address() as AddressInfo).port
  await new Promise<void>((r) => srv.close(() => r()))
  const c = createProviderClient(cfg(`http://127.0.0.1:${port}/v1`))
  t.after(() => c.close())
  const { err, begun } = await failure(c, {})
  assert.deepEqual([err.code, err.status, err.extra.retryClass, begun], ['upstream_error', 502, 'connect', false])
  assert.doesNotMatch(err.message, /127\.0\.0\.1/)
})

test('reset mid-body: before begin for JSON, after begin (in-stream) for SSE', async (t) => {
  const c = await viaMock(t)
  const a = await failure(c, { headers: { 'x-mock-fail': 'reset' } })
  assert.deepEqual([a.err.code, a.err.extra.retryClass, a.begun], ['upstream_error', 'connect', false])
  const b = await failure(c, { stream: true, headers: { 'x-mock-fail': 'reset' } })
  assert.deepEqual([b.err.code, b.begun], ['upstream_error', true])
})

test('invalid JSON from upstream -> upstream_error before anything reaches the client', async (t) => {
  const c = await viaMock(t)
  const { err, begun } = await failure(c, { headers: { 'x-mock-fail': 'bad-json' } })
  assert.deepEqual([err.code, begun], ['upstream_error', false])
  assert.match(err.message, /invalid JSON/)
})

test('broken SSE -> upstream_error thrown after begin', async (t) => {
  const c = await viaMock(t)
  const { err, begun } = await failure(c, { stream: true, headers: { 'x-mock-fail': 'bad-sse' } })
  assert.deepEqual([err.code, begun], ['upstream_error', true])
  assert.match(err.message, /broken SSE/)
})

test('a hanging upstream -> upstream_timeout (504), retry class timeout, after about timeoutMs', async (t) => {
  const c = await viaMock(t)
  const start = performance.now()
  const { err } = await failure(c, { timeoutMs: 300, headers: { 'x-mock-fail': 'hang' } })
  assert.deepEqual([err.code, err.status, err.extra.retryClass], ['upstream_timeout', 504, 'timeout'])
  assert.ok(performance.now() - start >= 250)
})

test('500 -> upstream_error with upstreamStatus; 429 -> upstream_error (502, not a client limit) carrying retry-after', async (t) => {
  const c = await viaMock(t)
  const a = await failure(c, { headers: { 'x-mock-fail': '500' } })
  assert.deepEqual([a.err.code, a.err.extra.retryClass, a.err.extra.upstreamStatus], ['upstream_error', 'status', 500])
  const b = await failure(c, { headers: { 'x-mock-fail': '429' } })
  assert.deepEqual([b.err.code, b.err.status, b.err.extra.upstreamStatus], ['upstream_error', 502, 429])
  assert.deepEqual(b.err.extra.headers, [['retry-after', '1']])
})

test('400 keeps the upstream message with our key and header values scrubbed; 401 says nothing the upstream said', async (t) => {
  const srv = createServer((req, res) => {
    const c = req.headers['x-case']
    const status = req.url?.includes('completions') && (c === '401' || c === '404') ? Number(c) : 400
    res.writeHead(status, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ error: { message: `  Bad request for key ${KEY} with ${HEADER_SECRET}  `, type: 'invalid_request_error' } }))
  })
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r))
  t.after(() => new Promise<void>((r) => srv.close(() => r())))
  const c = createProviderClient(cfg(`http://127.0.0.1:${(srv.address() as AddressInfo).port}`))
  t.after(() => c.close())
  const a = await failure(c, {})
  assert.equal(a.err.code, 'invalid_request')
  assert.equal(a.err.message, 'Bad request for key [redacted] with [redacted]')
  const b = await failure(c, { headers: { 'x-case': '401' } })
  assert.equal(b.err.code, 'upstream_error')
  assert.doesNotMatch(b.err.message, /Bad request|hv-static/)
  // a 404 upstream is the gateway's misconfiguration (baseUrl, target model), not the client's bad request
  const d = await failure(c, { headers: { 'x-case': '404' } })
  assert.deepEqual([d.err.code, d.err.status], ['upstream_error', 502])
  assert.match(d.err.message, /404 \(check the provider's baseUrl and the target model\): Bad request for key \[redacted\]/)
})

test('an already aborted signal fails at once without touching the upstream', async (t) => {
  const m = await startMockServer({})
  const c = createProviderClient(cfg(`${m.url}/v1`))
  t.after(async () => {
    await c.close()
    await m.close()
  })
  const ac = new AbortController()
  ac.abort()
  const { err } = await failure(c, { signal: ac.signal })
  assert.equal(err.code, 'upstream_error')
  assert.equal(m.stats().requests, 0)
})

test("an upstream's retry-after is passed on in seconds, capped at an hour", () => {
  const ra = (h: Record<string, string>) => mapStatusError('p', 429, h, '', (s) => s).extra.headers
  assert.deepEqual(ra({ 'retry-after': '7' }), [['retry-after', '7']])
  assert.deepEqual(ra({ 'retry-after-ms': '1500' }), [['retry-after', '2']])
  assert.deepEqual(ra({ 'retry-after': '99999999' }), [['retry-after', '3600']])
  assert.deepEqual(ra({}), [['retry-after', '1']])
})
