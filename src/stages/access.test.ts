/** compileAccess admission: reservations at admission (the 100-vs-10 bug), stream usage settling, 429 headers, scopes. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { CallContext, CallEnd, Caller } from '../core/pipeline.js'
import type { Exchange, Usage } from '../core/types.js'
import { GatewayError } from '../core/errors.js'
import { Secret } from '../core/secret.js'
import { createMemoryStore } from '../state/memory.js'
import type { Gauge, KeyedRateWindow, RateWindow, Store } from '../state/types.js'
import { compileAccess } from './access.js'
import type { AccessConfig } from './access-config.js'

interface FakeCall { cx: CallContext; end(e: Partial<CallEnd>): void }

function call(caller: Caller | undefined, o: { model?: string; tokens?: number; costUsd?: number; ip?: string } = {}): FakeCall {
  const ends: Array<(e: CallEnd) => void> = []
  const ex = { ip: o.ip ?? '127.0.0.1', headers: {} } as unknown as Exchange
  const cx = {
    ex, endpoint: 'chat', body: {}, model: o.model ?? 'gpt-4o', stream: false, caller,
    reservedTokens: () => o.tokens ?? 100, reservedCostUsd: () => o.costUsd ?? 0,
    headers: [], onEnd: (fn: (e: CallEnd) => void) => ends.push(fn),
  } as CallContext
  return { cx, end: (e) => ends.forEach((fn) => fn({ status: 200, usage: undefined, costUsd: 0, errorCode: undefined, ...e })) }
}

function usage(prompt: number, completion: number): Usage {
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion }
}

/** A frozen clock: every verdict in these tests is exact, whatever the machine's load. */
function setup(cfg: AccessConfig, clock: () => number = () => 1_800_000_000_000) {
  const access = compileAccess(cfg, { store: createMemoryStore({ clock }), clock })
  const caller = (key: string) => access.authenticate!({ headers: { authorization: `Bearer ${key}` } } as unknown as Exchange) as Caller
  return { access, caller, admit: access.admit! }
}

function refusedWith(fn: () => unknown, code: string): GatewayError {
  try { fn() } catch (e) {
    assert.ok(e instanceof GatewayError, String(e))
    assert.equal(e.code, code)
    return e
  }
  assert.fail(`expected ${code}`)
}

const headerOf = (pairs: ReadonlyArray<readonly [string, string]> | undefined, name: string) => pairs?.find(([n]) => n === name)?.[1]

test('100 concurrent requests against concurrency 10: exactly 10 admitted, and slots free when calls end', () => {
  const { caller, admit } = setup({ keys: [{ id: 'a', key: new Secret('sk-a'), limits: { concurrency: 10 } }] })
  const c = caller('sk-a')
  const calls = Array.from({ length: 100 }, () => call(c))
  const admitted = calls.filter((k) => { try { admit(k.cx); return true } catch (e) { assert.equal((e as GatewayError).code, 'rate_limit_exceeded'); return false } })
  assert.equal(admitted.length, 10)
  admitted[0]!.end({})
  admit(call(c).cx)
  refusedWith(() => admit(call(c).cx), 'rate_limit_exceeded')
})

test('100 concurrent requests against tpm meant for 10 of them: tokens are reserved at admission, exactly 10 pass', () => {
  const { caller, admit } = setup({ keys: [{ id: 'a', key: new Secret('sk-a'), limits: { tpm: 10_000 } }] })
  const c = caller('sk-a')
  let admitted = 0
  for (let i = 0; i < 100; i++) {
    try { admit(call(c, { tokens: 1_000 }).cx); admitted++ } catch (e) { assert.equal((e as GatewayError).code, 'rate_limit_exceeded') }
  }
  assert.equal(admitted, 10)
})

test('rpm: a burst of 3N admits exactly N; the 429 carries retry-after and x-ratelimit-* headers', () => {
  const { caller, admit } = setup({ keys: [{ id: 'a', key: new Secret('sk-a'), limits: { rpm: 5 } }] })
  const c = caller('sk-a')
  const results = Array.from({ length: 15 }, () => { try { admit(call(c).cx); return 'ok' } catch (e) { return e as GatewayError } })
  assert.equal(results.filter((r) => r === 'ok').length, 5)
  const err = results.at(-1) as GatewayError
  assert.equal(err.status, 429)
  assert.equal(headerOf(err.extra.headers, 'retry-after'), '12')
  assert.equal(headerOf(err.extra.headers, 'x-ratelimit-limit-requests'), '5')
  assert.equal(headerOf(err.extra.headers, 'x-ratelimit-remaining-requests'), '0')
  assert.equal(headerOf(err.extra.headers, 'x-ratelimit-reset-requests'), '1m0s')
  assert.ok(!err.message.includes('sk-a'))
})

test('a stream that reports usage settles its real tokens, never zero, and a success without usage keeps its reservation', () => {
  const { caller, admit } = setup({ keys: [{ id: 'a', key: new Secret('sk-a'), limits: { tpm: 10_000 } }] })
  const c = caller('sk-a')
  const s = call(c, { tokens: 2_000 })
  admit(s.cx)
  assert.equal(headerOf(s.cx.headers, 'x-ratelimit-remaining-tokens'), '8000')
  s.end({ usage: usage(3_000, 2_500) }) // more than reserved: the window pays the real 5,500
  const next = call(c, { tokens: 1 })
  admit(next.cx)
  assert.equal(headerOf(next.cx.headers, 'x-ratelimit-remaining-tokens'), '4499')
  next.end({}) // 200 without usage: keeps its 1-token reservation
  const failed = call(c, { tokens: 4_000 })
  admit(failed.cx)
  failed.end({ status: 502 }) // no upstream answer: the reservation is refunded
  const last = call(c, { tokens: 1 })
  admit(last.cx)
  assert.equal(headerOf(last.cx.headers, 'x-ratelimit-remaining-tokens'), '4498')
})

test('success headers report the key window; the key rpm wins over per-IP and global', () => {
  const { caller, admit } = setup({
    keys: [{ id: 'a', key: new Secret('sk-a'), limits: { rpm: 60, tpm: 1000 } }],
    limits: { perIp: { rpm: 100 }, global: { rps: 50 } },
  })
  const k = call(caller('sk-a'), { tokens: 10 })
  admit(k.cx)
  assert.deepEqual(k.cx.headers, [
    ['x-ratelimit-limit-requests', '60'], ['x-ratelimit-remaining-requests', '59'], ['x-ratelimit-reset-requests', '1s'],
    ['x-ratelimit-limit-tokens', '1000'], ['x-ratelimit-remaining-tokens', '990'], ['x-ratelimit-reset-tokens', '600ms'],
  ])
})

test('a refusal rolls back what earlier checks reserved', () => {
  const { caller, admit } = setup({ keys: [{ id: 'a', key: new Secret('sk-a'), limits: { rpm: 2, tpm: 100 } }] })
  const c = caller('sk-a')
  refusedWith(() => admit(call(c, { tokens: 500 }).cx), 'rate_limit_exceeded') // tpm refuses after rpm passed
  refusedWith(() => admit(call(c, { tokens: 500 }).cx), 'rate_limit_exceeded')
  admit(call(c, { tokens: 10 }).cx)
  admit(call(c, { tokens: 10 }).cx) // both rpm units are still there
  refusedWith(() => admit(call(c, { tokens: 10 }).cx), 'rate_limit_exceeded')
})

test('budget: exhausted across requests by actual cost -> 429 budget_exceeded before any upstream call', () => {
  const { caller, admit } = setup({ keys: [{ id: 'a', key: new Secret('sk-a'), budget: { usd: 1, per: 'day' } }] }, () => Date.UTC(2026, 3, 1, 23, 0))
  const c = caller('sk-a')
  for (let i = 0; i < 3; i++) {
    const k = call(c, { costUsd: 0.05 })
    admit(k.cx)
    k.end({ usage: usage(1, 1), costUsd: 0.3 })
  }
  const over = call(c, { costUsd: 0.2 }) // 0.9 spent + 0.2 reserved > 1
  const err = refusedWith(() => admit(over.cx), 'budget_exceeded')
  assert.equal(err.status, 429)
  assert.equal(headerOf(err.extra.headers, 'retry-after'), '3600') // until UTC midnight
  admit(call(c, { costUsd: 0.1 }).cx)
})

test('per-IP and global limits apply to anonymous callers too', () => {
  const { access, admit } = setup({ auth: { required: false }, limits: { perIp: { rpm: 2 }, global: { rps: 3 } } })
  assert.equal(access.authenticate, null)
  admit(call(undefined, { ip: '10.0.0.1' }).cx)
  admit(call(undefined, { ip: '10.0.0.1' }).cx)
  const e = refusedWith(() => admit(call(undefined, { ip: '10.0.0.1' }).cx), 'rate_limit_exceeded')
  assert.match(e.message, /per client address/)
  admit(call(undefined, { ip: '10.0.0.2' }).cx)
  const g = refusedWith(() => admit(call(undefined, { ip: '10.0.0.3' }).cx), 'rate_limit_exceeded')
  assert.match(g.message, /per second/)
})

test('a key scoped to models gets 403 model_not_allowed for others, before any limit is consumed', () => {
  const { caller, admit } = setup({ keys: [{ id: 'a', key: new Secret('sk-a'), models: ['claude-*'], limits: { rpm: 1 } }] })
  const c = caller('sk-a')
  refusedWith(() => admit(call(c, { model: 'gpt-4o' }).cx), 'model_not_allowed')
  admit(call(c, { model: 'claude-sonnet' }).cx)
})

test('nothing configured -> no code on the hot path', () => {
  const access = compileAccess({}, { store: createMemoryStore() })
  assert.equal(access.authenticate, null)
  assert.equal(access.admit, null)
  assert.deepEqual(access.headerNames, [])
})

test('compile-time errors for bad key entries name the key id, never the key', () => {
  const store = createMemoryStore()
  assert.throws(() => compileAccess({ keys: [{ id: 'x', hash: 'sha256:zz' }] }, { store }), /keys\[x\]/)
  assert.throws(() => compileAccess({ keys: [{ id: 'x', key: new Secret('k1') }, { id: 'x', key: new Secret('k2') }] }, { store }), /duplicate/)
  assert.throws(() => compileAccess({ keys: [{ id: 'x', key: new Secret('k1'), limits: { rpm: 0 } }] }, { store }), /limit/)
})

test('per-IP tpm and concurrency, and global concurrency, reserve at admission and free when calls end', () => {
  const { admit } = setup({ auth: { required: false }, limits: { perIp: { tpm: 1_000, concurrency: 2 }, global: { concurrency: 3 } } })
  const a1 = call(undefined, { ip: '10.0.0.1', tokens: 400 })
  const a2 = call(undefined, { ip: '10.0.0.1', tokens: 400 })
  admit(a1.cx)
  admit(a2.cx)
  assert.match(refusedWith(() => admit(call(undefined, { ip: '10.0.0.1', tokens: 1 }).cx), 'rate_limit_exceeded').message, /concurrency .* per client/)
  a1.end({ usage: usage(50, 50) }) // frees a slot and 300 tokens
  assert.match(refusedWith(() => admit(call(undefined, { ip: '10.0.0.1', tokens: 600 }).cx), 'rate_limit_exceeded').message, /token limit/)
  admit(call(undefined, { ip: '10.0.0.1', tokens: 500 }).cx)
  admit(call(undefined, { ip: '10.0.0.2', tokens: 1 }).cx)
  assert.match(refusedWith(() => admit(call(undefined, { ip: '10.0.0.3', tokens: 1 }).cx), 'rate_limit_exceeded').message, /concurrent requests/)
})

test('an async store (redis-like: every operation a promise) gives the same verdicts, rollbacks and settles', async () => {
  const mem = createMemoryStore({ clock: () => 1_800_000_000_000 })
  const later = <T>(v: T): Promise<T> => new Promise((r) => setImmediate(() => r(v)))
  const asyncStore: Store = {
    kind: 'redis',
    rate: (id, l, p) => { const w = mem.rate(id, l, p); return { limit: l, periodMs: p, take: (n, now) => later(w.take(n, now)), settle: (d, now) => later(w.settle(d, now)) } as RateWindow },
    keyedRate: (id, l, p) => { const w = mem.keyedRate(id, l, p); return { limit: l, periodMs: p, take: (k, n, now) => later(w.take(k, n, now)), settle: (k, d, now) => later(w.settle(k, d, now)) } as KeyedRateWindow },
    keyedGauge: (id, l) => mem.keyedGauge(id, l),
    gauge: (id, l) => { const g = mem.gauge(id, l); return { limit: l, acquire: () => later(g.acquire()), release: () => later(g.release()), held: () => g.held() } as Gauge },
    budget: (id, usd, per) => mem.budget(id, usd, per),
  }
  const access = compileAccess(
    { keys: [{ id: 'a', key: new Secret('sk-a'), limits: { rpm: 3, tpm: 1_000, concurrency: 2 } }], limits: { perIp: { rpm: 100 } } },
    { store: asyncStore, clock: () => 1_800_000_000_000 },
  )
  const c = access.authenticate!({ headers: { authorization: 'Bearer sk-a' } } as unknown as Exchange) as Caller
  const first = call(c, { tokens: 600 })
  const r = access.admit!(first.cx)
  assert.ok(r instanceof Promise, 'an async store makes admission async')
  await r
  assert.equal(headerOf(first.cx.headers, 'x-ratelimit-remaining-tokens'), '400')
  await assert.rejects(Promise.resolve(access.admit!(call(c, { tokens: 600 }).cx)), (e) => (e as GatewayError).code === 'rate_limit_exceeded')
  const second = call(c, { tokens: 300 })
  await access.admit!(second.cx) // the refused one gave its rpm unit back
  await assert.rejects(Promise.resolve(access.admit!(call(c, { tokens: 1 }).cx)), /concurrency/)
  first.end({ usage: usage(10, 10) })
  await new Promise((r2) => setImmediate(r2))
  const third = call(c, { tokens: 1 })
  await access.admit!(third.cx)
  assert.equal(headerOf(third.cx.headers, 'x-ratelimit-remaining-tokens'), '679')
  assert.equal(headerOf(third.cx.headers, 'x-ratelimit-remaining-requests'), '0')
})

test('a key\'s limit state is made on its first admission, once; a recompile with the same limit finds the same state', () => {
  const clock = () => 1_800_000_000_000
  const mem = createMemoryStore({ clock })
  const made: string[] = []
  const counting: Store = {
    ...mem,
    kind: 'memory',
    rate: (id, l, p) => (made.push(id), mem.rate(id, l, p)),
    gauge: (id, l) => (made.push(id), mem.gauge(id, l)),
    budget: (id, usd, per) => (made.push(id), mem.budget(id, usd, per)),
  }
  const keys = Array.from({ length: 1000 }, (_, i) => ({ id: `k${i}`, key: new Secret(`sk-${i}`), limits: { rpm: 2, concurrency: 5 }, budget: { usd: 10, per: 'day' as const } }))
  const compile = (rpm: number) => {
    const access = compileAccess({ keys: keys.map((k) => (k.id === 'k7' ? { ...k, limits: { rpm, concurrency: 5 } } : k)) }, { store: counting, clock })
    return { admit: access.admit!, c: access.authenticate!({ headers: { authorization: 'Bearer sk-7' } } as unknown as Exchange) as Caller }
  }
  const a = compile(2)
  assert.equal(made.length, 0, 'compiling 1,000 keys makes no limit state')
  a.admit(call(a.c).cx)
  a.admit(call(a.c).cx)
  assert.deepEqual(made, ['key:k7:rpm:2', 'key:k7:usd:10', 'key:k7:concurrency:5'])
  refusedWith(() => a.admit(call(a.c).cx), 'rate_limit_exceeded')
  const b = compile(2) // an unrelated reload: k7's window is the same entry, still full
  refusedWith(() => b.admit(call(b.c).cx), 'rate_limit_exceeded')
  const c = compile(3) // k7's own limit changed: a fresh window
  c.admit(call(c.c).cx)
  assert.equal(made.filter((id) => id.startsWith('key:k7:rpm')).length, 3)
})

test('holds built once per window settle each call\'s own reservation and client address, in any end order', () => {
  const { caller, admit } = setup({
    keys: [{ id: 'a', key: new Secret('sk-a'), limits: { tpm: 10_000, concurrency: 5 } }],
    limits: { perIp: { tpm: 1_000, concurrency: 1 } },
  })
  const c = caller('sk-a')
  const r1 = call(c, { ip: '10.0.0.1', tokens: 300 })
  const r2 = call(c, { ip: '10.0.0.2', tokens: 500 })
  admit(r1.cx)
  admit(r2.cx)
  r2.end({ usage: usage(60, 40) }) // 10.0.0.2 and the key keep 100 of 500
  r1.end({ status: 502 }) // 10.0.0.1 and the key get all 300 back
  // 10.0.0.2 has 900 left (a hold that settled r1's 300 there, or r2's 500 at 10.0.0.1, would show here).
  assert.match(refusedWith(() => admit(call(c, { ip: '10.0.0.2', tokens: 901 }).cx), 'rate_limit_exceeded').message, /token limit .* per client/)
  admit(call(c, { ip: '10.0.0.2', tokens: 900 }).cx)
  // 10.0.0.1: its concurrency slot was released (by r1's end, not r2's) and its window is whole again.
  const probe = call(c, { ip: '10.0.0.1', tokens: 1_000 })
  admit(probe.cx)
  assert.equal(headerOf(probe.cx.headers, 'x-ratelimit-remaining-tokens'), String(10_000 - 100 - 900 - 1_000))
})

test('request windows alone register no end callback; a token window does, and settles', () => {
  const { caller, admit } = setup({
    keys: [{ id: 'r', key: new Secret('sk-r'), limits: { rpm: 10 } }, { id: 't', key: new Secret('sk-t'), limits: { rpm: 10, tpm: 1_000 } }],
    limits: { perIp: { rpm: 100 }, global: { rps: 100 } },
  })
  const counted = (c: Caller, tokens: number) => {
    const f = call(c, { tokens })
    let ends = 0
    const onEnd = f.cx.onEnd
    ;(f.cx as { onEnd: CallContext['onEnd'] }).onEnd = (fn) => { ends++; onEnd(fn) }
    admit(f.cx)
    return { f, ends: () => ends }
  }
  const rpmOnly = counted(caller('sk-r'), 10)
  assert.equal(rpmOnly.ends(), 0)
  assert.equal(headerOf(rpmOnly.f.cx.headers, 'x-ratelimit-remaining-requests'), '9')
  const withTpm = counted(caller('sk-t'), 500)
  assert.equal(withTpm.ends(), 1)
  withTpm.f.end({ usage: usage(50, 50) })
  const next = counted(caller('sk-t'), 1)
  assert.equal(headerOf(next.f.cx.headers, 'x-ratelimit-remaining-tokens'), String(1_000 - 100 - 1))
})
