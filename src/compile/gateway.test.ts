/** The compiler without a socket: routing, retries, fallback, streaming relay, keepalive, errors (issue 3 item 1). */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { specSchema } from '../spec/schema.js'
import type { ProviderClient } from '../providers/types.js'
import { createFakeProvider, type FakeProvider, type FakeStep, upstreamFailure } from '../testing/fake-provider.js'
import { createTestExchange, MemorySink } from '../testing/memory-sink.js'
import { compileGateway, type RuntimeDeps } from './gateway.js'
import { planGateway } from './plan-gateway.js'
import { loadOpenAISchemas, validateOpenAI } from '../testing/openai-schema.js'

const chat = (model: string, extra: Record<string, unknown> = {}) => ({ model, messages: [{ role: 'user', content: 'hi' }], ...extra })

function build(spec: Record<string, unknown>, steps: Record<string, FakeStep[]>, deps: RuntimeDeps = {}) {
  const fakes: Record<string, FakeProvider> = {}
  for (const [name, s] of Object.entries(steps)) fakes[name] = createFakeProvider(name, s)
  const gw = compileGateway(planGateway(specSchema.parse({ version: 1, ...spec })), {
    createProvider: (cfg): ProviderClient => fakes[cfg.name]!,
    ...deps,
  })
  const run = async (path: string, body?: unknown, method = 'POST', headers: Record<string, string> = {}) => {
    const sink = new MemorySink()
    const ex = createTestExchange({ path, body, method, headers })
    await gw.main.find(method, path).handle(ex, sink)
    return sink
  }
  return { gw, fakes, run }
}

const providers = (...names: string[]) => names.map((name) => ({ name, type: 'mock' }))

test('a chat request is routed to its target with x-llmgw-* headers', async () => {
  const { run, fakes } = build({ providers: providers('p'), models: [{ name: 'm', targets: [{ provider: 'p', model: 'up-1' }] }] }, { p: [{ kind: 'json' }] })
  const res = await run('/v1/chat/completions', chat('m'))
  assert.equal(res.status, 200)
  assert.equal(res.headers['x-llmgw-provider'], 'p')
  assert.equal(res.headers['x-llmgw-model'], 'up-1')
  assert.equal(res.headers['x-llmgw-attempts'], '1')
  assert.equal(fakes.p!.calls[0]!.body.model, 'up-1')
})

test('the model an upstream answers with becomes x-llmgw-model only when it is a safe header value (no CR/LF)', async () => {
  const { run } = build(
    { providers: providers('p'), models: [{ name: 'm', targets: [{ provider: 'p', model: 'up-1' }] }] },
    { p: [{ kind: 'json', model: 'up-1-2024' }, { kind: 'json', model: 'evil\r\nset-cookie: x=1' }] },
  )
  assert.equal((await run('/v1/chat/completions', chat('m'))).headers['x-llmgw-model'], 'up-1-2024')
  const res = await run('/v1/chat/completions', chat('m'))
  assert.equal(res.status, 200)
  assert.equal(res.headers['x-llmgw-model'], 'up-1', 'the configured target model, not the injected text')
  assert.equal(res.headers['set-cookie'], undefined)
})

test('unknown paths are 404 not_found, wrong methods 405 with allow, unknown models 404 model_not_found', async () => {
  const { run } = build({ providers: providers('p'), models: [{ name: 'm', targets: [{ provider: 'p', model: 'x' }] }] }, { p: [{ kind: 'json' }] })
  const nf = await run('/v2/nothing', undefined, 'GET')
  assert.equal(nf.status, 404)
  assert.equal(nf.json().error.code, 'not_found')
  const mna = await run('/v1/chat/completions', undefined, 'GET')
  assert.equal(mna.status, 405)
  assert.equal(mna.headers.allow, 'POST')
  const mnf = await run('/v1/chat/completions', chat('nope'))
  assert.equal(mnf.status, 404)
  assert.deepEqual(mnf.json().error, { message: "The model 'nope' does not exist", type: 'not_found_error', param: 'model', code: 'model_not_found' })
  const bad = await run('/v1/chat/completions', '{"model"')
  assert.equal(bad.json().error.code, 'invalid_json')
})

test('a retryable failure is retried on the next target, then fallback models answer', async () => {
  const { run, fakes } = build(
    {
      providers: providers('a', 'b', 'c'),
      models: [
        { name: 'm', targets: [{ provider: 'a', model: 'x' }, { provider: 'b', model: 'y' }], strategy: 'priority', retry: { attempts: 2, backoff: 1 }, fallback: ['n'] },
        { name: 'n', targets: [{ provider: 'c', model: 'z' }] },
      ],
    },
    { a: [{ kind: 'fail', error: upstreamFailure(500) }], b: [{ kind: 'fail', error: upstreamFailure(503) }, { kind: 'json' }], c: [{ kind: 'json' }] },
  )
  const res = await run('/v1/chat/completions', chat('m'))
  assert.equal(res.status, 200)
  assert.equal(res.headers['x-llmgw-provider'], 'c')
  assert.equal(res.headers['x-llmgw-attempts'], '3')
  assert.equal(fakes.a!.calls.length, 1)
  assert.equal(fakes.b!.calls.length, 1)
  const again = await run('/v1/chat/completions', chat('m'))
  assert.equal(again.headers['x-llmgw-provider'], 'b')
})

test('fallback cycles end; a non-retryable upstream 400 is not retried', async () => {
  const { run, fakes } = build(
    {
      providers: providers('a', 'b'),
      models: [
        { name: 'm', targets: [{ provider: 'a', model: 'x' }], fallback: ['n'] },
        { name: 'n', targets: [{ provider: 'b', model: 'y' }], fallback: ['m'] },
      ],
    },
    { a: [{ kind: 'fail', error: upstreamFailure(502) }], b: [{ kind: 'fail', error: upstreamFailure(500) }] },
  )
  const res = await run('/v1/chat/completions', chat('m'))
  assert.equal(res.status, 502)
  // the failure still says where the attempts went: both targets of the chain, the last on provider b
  assert.equal(res.headers['x-llmgw-attempts'], '2')
  assert.equal(res.headers['x-llmgw-provider'], 'b')
  assert.equal(res.json().error.code, 'upstream_error')
  assert.equal(fakes.a!.calls.length + fakes.b!.calls.length, 2)
})

test('weighted targets follow smooth weighted round robin exactly', async () => {
  const { run } = build(
    { providers: providers('a', 'b'), models: [{ name: 'm', targets: [{ provider: 'a', model: 'x', weight: 3 }, { provider: 'b', model: 'y', weight: 1 }] }] },
    { a: [{ kind: 'json' }], b: [{ kind: 'json' }] },
  )
  const seen: string[] = []
  for (let i = 0; i < 8; i++) seen.push((await run('/v1/chat/completions', chat('m'))).headers['x-llmgw-provider']!)
  assert.deepEqual(seen, ['a', 'a', 'b', 'a', 'a', 'a', 'b', 'a'])
})

test('streams relay chunks with SSE headers; a failure after the first byte is an in-stream error event', async () => {
  const { run } = build(
    { providers: providers('p'), models: [{ name: 'm', targets: [{ provider: 'p', model: 'x' }], retry: { attempts: 3 } }] },
    { p: [{ kind: 'stream', chunks: ['{"a":1}'], failAfter: upstreamFailure(502) }, { kind: 'json' }] },
  )
  const res = await run('/v1/chat/completions', chat('m', { stream: true }))
  assert.equal(res.status, 200)
  assert.equal(res.headers['content-type'], 'text/event-stream')
  assert.equal(res.headers['x-llmgw-attempts'], '1')
  assert.match(res.body, /^data: \{"a":1\}\n\ndata: \{"error":\{.*"code":"upstream_error"\}\}\n\n$/)
  assert.equal(res.isEnded, true)
})

test('keepalive comments go out while a stream waits; a later failure is reported in-stream', async () => {
  const { run } = build(
    { server: { sseKeepalive: 20 }, providers: providers('p'), models: [{ name: 'm', targets: [{ provider: 'p', model: 'x' }] }] },
    { p: [{ kind: 'stream', chunks: ['{"a":1}'], delayMs: 90 }, { kind: 'fail', error: upstreamFailure(500), delayMs: 90 }] },
  )
  const ok = await run('/v1/chat/completions', chat('m', { stream: true }))
  assert.match(ok.body, /^: keepalive\n\n(: keepalive\n\n)*data: \{"a":1\}\n\ndata: \[DONE\]\n\n$/)
  const failed = await run('/v1/chat/completions', chat('m', { stream: true }))
  assert.equal(failed.status, 200)
  assert.match(failed.body, /: keepalive\n\ndata: \{"error":/)
})

test('a hanging upstream ends in 504 within server.requestTimeout, across retries', async () => {
  const { run, fakes } = build(
    { server: { requestTimeout: 60 }, providers: providers('p'), models: [{ name: 'm', targets: [{ provider: 'p', model: 'x' }], retry: { attempts: 5, backoff: 1 } }] },
    { p: [{ kind: 'hang' }] },
  )
  const res = await run('/v1/chat/completions', chat('m'))
  assert.equal(res.status, 504)
  assert.equal(res.json().error.code, 'upstream_timeout')
  assert.ok(fakes.p!.calls[0]!.timeoutMs <= 60)
  assert.ok(fakes.p!.calls.length < 5)
})

test('a client that leaves aborts the upstream attempt at once', async () => {
  const { gw, fakes } = build({ providers: providers('p'), models: [{ name: 'm', targets: [{ provider: 'p', model: 'x' }] }] }, { p: [{ kind: 'hang' }] })
  const sink = new MemorySink()
  const ex = createTestExchange({ path: '/v1/chat/completions', body: chat('m') })
  const done = gw.main.find('POST', '/v1/chat/completions').handle(ex, sink)
  await new Promise((r) => setTimeout(r, 10))
  assert.equal(gw.inflight, 1)
  ex.abort()
  sink.isAborted = true
  await done
  assert.equal(fakes.p!.calls[0]!.signal.aborted, true)
  assert.equal(sink.isStarted, false)
  assert.equal(gw.inflight, 0)
})

test('/v1/messages errors use the Anthropic error shape with the OpenAI fields inside error', async () => {
  const { run } = build({ providers: providers('p'), models: [{ name: 'm', targets: [{ provider: 'p', model: 'x' }] }] }, { p: [{ kind: 'json' }] })
  const res = await run('/v1/messages', { model: 'nope', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] })
  assert.equal(res.status, 404)
  assert.deepEqual(res.json(), { type: 'error', error: { type: 'not_found_error', message: "The model 'nope' does not exist", param: 'model', code: 'model_not_found' } })
  // and still OpenAI-shaped inside `error` (SPEC §4)
  if (loadOpenAISchemas()) assert.deepEqual(validateOpenAI('ErrorResponse', res.json()), [])
})

test('GET /v1/models lists public non-glob models; /admin/config is redacted and token-guarded', async () => {
  const { run } = build(
    {
      admin: { token: 'tok-123' },
      providers: [{ name: 'p', type: 'openai', apiKey: 'sk-very-secret', baseUrl: 'http://127.0.0.1:9' }],
      models: [{ name: 'm', targets: [{ provider: 'p', model: 'x' }] }, { name: 'g-*', targets: [{ provider: 'p', model: '*' }] }],
    },
    { p: [{ kind: 'json' }] },
  )
  const models = await run('/v1/models', undefined, 'GET')
  assert.deepEqual(models.json().data.map((m: { id: string }) => m.id), ['m'])
  assert.equal((await run('/admin/config', undefined, 'GET')).status, 401)
  const cfg = await run('/admin/config', undefined, 'GET', { authorization: 'Bearer tok-123' })
  assert.equal(cfg.status, 200)
  assert.doesNotMatch(cfg.body, /sk-very-secret|tok-123/)
  assert.match(cfg.json().version, /^[0-9a-f]{12}$/)
  assert.equal((await run('/healthz', undefined, 'GET')).body, 'ok')
})

test('glob models pass the client model through; retire() closes providers once idle', async () => {
  const { run, gw, fakes } = build(
    { providers: providers('p'), models: [{ name: 'g-*', targets: [{ provider: 'p', model: '*' }] }] },
    { p: [{ kind: 'json' }] },
  )
  const res = await run('/v1/chat/completions', chat('g-42'))
  assert.equal(res.headers['x-llmgw-model'], 'g-42')
  assert.equal(fakes.p!.calls[0]!.body.model, 'g-42')
  await gw.retire()
  assert.equal(fakes.p!.closed, true)
})

test('stage profiling counts each stage when on, and /admin/stages serves it', async () => {
  const { run } = build(
    { providers: providers('p'), models: [{ name: 'm', targets: [{ provider: 'p', model: 'x' }] }] },
    { p: [{ kind: 'stream', chunks: ['{}'] }] },
    { profileStages: true, observer: { onStart() {}, onEnd() {} } },
  )
  await run('/v1/chat/completions', chat('m', { stream: true }))
  const stats = (await run('/admin/stages', undefined, 'GET')).json()
  for (const s of ['parse', 'routing', 'upstream_wait', 'relay', 'observe']) assert.equal(stats[s].count, 1, s)
  assert.equal(stats.auth.count, 0)
})

test('formatPlanTree prints models, targets, retries and fallback chains', async () => {
  const { formatPlanTree } = await import('./explain.js')
  const { gw } = build(
    {
      providers: providers('a', 'b'),
      models: [
        { name: 'm', targets: [{ provider: 'a', model: 'x' }], retry: { attempts: 2 }, fallback: ['n'] },
        { name: 'n', targets: [{ provider: 'b', model: 'y' }], fallback: ['m'] },
      ],
    },
    { a: [{ kind: 'json' }], b: [{ kind: 'json' }] },
  )
  const tree = formatPlanTree(gw.plan)
  assert.match(tree, /├─ m {2}strategy=weighted/)
  assert.match(tree, /-> a\/x weight=1/)
  assert.match(tree, /retry attempts=2 backoff=100ms on=\[429, 5xx, timeout, connect\]/)
  assert.match(tree, /fallback n\n/)
  assert.match(tree, /└─ fallback m$/)
})

test('a compile that fails on a rule (missing wordsFile) acquires no provider pool', async () => {
  const { createProviderPool } = await import('./provider-pool.js')
  const pool = createProviderPool()
  const spec = specSchema.parse({
    version: 1,
    providers: [{ name: 'sim', type: 'mock' }],
    models: [{ name: 'm', targets: [{ provider: 'sim', model: 'x' }] }],
    rules: [{ type: 'content-filter', wordsFile: '/nonexistent/llmgw-words.txt' }],
  })
  assert.throws(() => compileGateway(planGateway(spec), { providerPool: pool }), /ENOENT/)
  assert.equal(pool.size, 0)
})
