/** wrapProvider: maxInFlight + FIFO queue (overloaded), circuit breaker closed -> open -> half-open -> closed (SPEC §3). */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { AttemptResult, AttemptSink, ProviderClient, UpstreamCall } from '../core/provider.js'
import { GatewayError } from '../core/errors.js'
import { createRegistry } from '../state/registry.js'
import { wrapBatching } from './batch-embeddings.js'
import { wrapProvider } from './provider-guard.js'

interface Fake extends ProviderClient { calls: number; pending: Array<{ ok(): void; fail(e: unknown): void }> }

/** An upstream whose calls finish when the test says, or at once with `auto`. */
function fakeUpstream(auto?: 'ok' | 'fail5xx'): Fake {
  const f: Fake = {
    name: 'up', type: 'mock', calls: 0, pending: [],
    close: async () => {},
    call(_req: UpstreamCall, _sink: AttemptSink): Promise<AttemptResult> {
      f.calls++
      if (auto === 'ok') return Promise.resolve({ usage: undefined, model: 'm', firstByteAt: undefined })
      if (auto === 'fail5xx') return Promise.reject(new GatewayError('upstream_error', 'boom', { retryClass: 'status', upstreamStatus: 500 }))
      return new Promise((resolve, reject) => f.pending.push({ ok: () => resolve({ usage: undefined, model: 'm', firstByteAt: undefined }), fail: reject }))
    },
  }
  return f
}

const req = (signal = new AbortController().signal) => ({ signal }) as unknown as UpstreamCall
const sink = {} as AttemptSink
const tick = () => new Promise((r) => setImmediate(r))
const code = (e: unknown) => (e as GatewayError).code

test('beyond maxInFlight calls wait in FIFO order; a full queue answers 503 overloaded at once', async () => {
  const up = fakeUpstream()
  const p = wrapProvider(up, { maxInFlight: 2, queue: { size: 2, timeoutMs: 10_000 } })
  const order: number[] = []
  const calls = [1, 2, 3, 4].map((n) => p.call(req(), sink).then(() => order.push(n)))
  await tick()
  assert.deepEqual(p.state(), { breaker: 'closed', queueDepth: 2, inflight: 2 })
  await assert.rejects(p.call(req(), sink), (e) => code(e) === 'overloaded')
  assert.equal(up.calls, 2)
  for (let i = 0; i < 4; i++) { up.pending[i]!.ok(); await tick(); await tick() }
  await Promise.all(calls)
  assert.deepEqual(order, [1, 2, 3, 4])
  assert.deepEqual(p.state(), { breaker: 'closed', queueDepth: 0, inflight: 0 })
})

test('a queue timeout answers 503 overloaded and frees its place', async () => {
  const up = fakeUpstream()
  const p = wrapProvider(up, { maxInFlight: 1, queue: { size: 1, timeoutMs: 20 } })
  const first = p.call(req(), sink)
  await assert.rejects(p.call(req(), sink), (e) => code(e) === 'overloaded' && /waited 20ms/.test((e as Error).message))
  assert.equal(p.state().queueDepth, 0)
  up.pending[0]!.ok()
  await first
  assert.equal(p.state().inflight, 0)
})

test('a client that aborts while queued is removed from the queue and never reaches the upstream', async () => {
  const up = fakeUpstream()
  const p = wrapProvider(up, { maxInFlight: 1, queue: { size: 5, timeoutMs: 10_000 } })
  const first = p.call(req(), sink)
  const ac = new AbortController()
  const queued = p.call(req(ac.signal), sink)
  await tick()
  assert.equal(p.state().queueDepth, 1)
  ac.abort(new Error('client left'))
  await assert.rejects(queued, /client left/)
  assert.equal(p.state().queueDepth, 0)
  up.pending[0]!.ok()
  await first
  assert.equal(up.calls, 1)
  assert.equal(p.state().inflight, 0)
})

test('breaker: opens over the failure rate after minRequests, refuses without upstream calls, probes after cooldown, closes', async () => {
  let now = 1_000_000
  const states: string[] = []
  const cfg = { maxInFlight: 10, queue: { size: 0, timeoutMs: 1 }, breaker: { failureRate: 0.5, minRequests: 4, windowMs: 10_000, cooldownMs: 5_000, halfOpenProbes: 2 } }
  let up = fakeUpstream('fail5xx')
  const p = wrapProvider({ ...up, call: (r, s) => up.call(r, s) }, cfg, { clock: () => now, onBreakerState: (s) => states.push(s) })
  for (let i = 0; i < 3; i++) await assert.rejects(p.call(req(), sink), (e) => code(e) === 'upstream_error')
  assert.equal(p.state().breaker, 'closed', 'not before minRequests')
  await assert.rejects(p.call(req(), sink))
  assert.equal(p.state().breaker, 'open')
  assert.equal(p.isAvailable(), false)
  const hits = up.calls
  for (let i = 0; i < 20; i++) await assert.rejects(p.call(req(), sink), (e) => code(e) === 'upstream_unavailable' && (e as GatewayError).status === 503)
  assert.equal(up.calls, hits, 'an open breaker never touches the upstream')
  now += 5_000
  assert.equal(p.state().breaker, 'half-open')
  await assert.rejects(p.call(req(), sink), (e) => code(e) === 'upstream_error') // a failing probe reopens
  assert.equal(p.state().breaker, 'open')
  now += 5_000
  up = fakeUpstream() // healthy again, answers when told
  const probes = [p.call(req(), sink), p.call(req(), sink)]
  await assert.rejects(p.call(req(), sink), (e) => code(e) === 'upstream_unavailable', 'only halfOpenProbes pass')
  up.pending.forEach((c) => c.ok())
  await Promise.all(probes)
  assert.equal(p.state().breaker, 'closed')
  assert.deepEqual(states, ['open', 'half-open', 'open', 'half-open', 'closed'])
})

test('old failures slide out of the window; 4xx answers and client aborts do not count as failures', async () => {
  let now = 0
  const cfg = { maxInFlight: 10, queue: { size: 0, timeoutMs: 1 }, breaker: { failureRate: 0.5, minRequests: 4, windowMs: 1_000, cooldownMs: 1_000, halfOpenProbes: 1 } }
  const err = (status: number) => new GatewayError('upstream_error', 'x', { retryClass: 'status', upstreamStatus: status })
  let next: unknown
  const up: ProviderClient = { name: 'u', type: 'mock', close: async () => {}, call: () => Promise.reject(next) }
  const p = wrapProvider(up, cfg, { clock: () => now })
  next = err(503)
  for (let i = 0; i < 3; i++) await assert.rejects(p.call(req(), sink))
  now += 1_500 // those three are out of the window now
  await assert.rejects(p.call(req(), sink))
  assert.equal(p.state().breaker, 'closed')
  next = err(400)
  for (let i = 0; i < 10; i++) await assert.rejects(p.call(req(), sink))
  const ac = new AbortController()
  ac.abort()
  next = new GatewayError('upstream_error', 'aborted')
  for (let i = 0; i < 10; i++) await assert.rejects(p.call(req(ac.signal), sink))
  assert.equal(p.state().breaker, 'closed')
})

test('the breaker carries over a reload through the registry when the provider config is unchanged', async () => {
  const registry = createRegistry()
  const cfg = { maxInFlight: 1, queue: { size: 0, timeoutMs: 1 }, breaker: { failureRate: 0, minRequests: 1, windowMs: 1_000, cooldownMs: 60_000, halfOpenProbes: 1 } }
  const a = wrapProvider(fakeUpstream('fail5xx'), cfg, { registry })
  await assert.rejects(a.call(req(), sink))
  assert.equal(a.state().breaker, 'open')
  const b = wrapProvider(fakeUpstream('ok'), cfg, { registry })
  assert.equal(b.state().breaker, 'open')
  const c = wrapProvider(fakeUpstream('ok'), { ...cfg, breaker: { ...cfg.breaker, minRequests: 2 } }, { registry })
  assert.equal(c.state().breaker, 'closed')
})

test('the guard and the embeddings batcher keep what the client speaks natively (translators are chosen by it)', () => {
  const up: ProviderClient = { name: 'p', type: 'openai', speaks: (ep) => ep === 'responses', call: () => Promise.reject(new Error('unused')), close: () => Promise.resolve() }
  const guarded = wrapProvider(up, { maxInFlight: 1, queue: { size: 1, timeoutMs: 10 } })
  const batched = wrapBatching(guarded, { maxBatch: 8, maxWaitMs: 5 })
  assert.equal(guarded.speaks?.('responses'), true)
  assert.equal(batched.speaks?.('responses'), true)
  assert.equal(batched.speaks?.('count_tokens'), false)
})
