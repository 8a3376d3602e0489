/** The cache wrapper (compile/with-cache.ts) with a shared store that answers later, or fails: a failure is a MISS. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { CachedResponse, ResponseCache } from '../stages/cache.js'
import { createTestExchange, MemorySink } from '../testing/memory-sink.js'
import { Call, type CompiledModel } from './call.js'
import type { RequestContext } from './context.js'
import { Relay } from './relay.js'
import type { RuntimeTarget } from './target.js'
import { compileCacheWrap } from './with-cache.js'

const target = { provider: 'p', model: 'm', headers: [['x-llmgw-provider', 'p']] } as unknown as RuntimeTarget

function store(get: ResponseCache['get'], set: ResponseCache['set'] = () => undefined): ResponseCache {
  return { get, set, getStale: () => undefined, size: 0, bytes: 0, clear: () => undefined }
}

async function run(s: ResponseCache) {
  const model = { name: 'm', cache: { ttlMs: 60_000, store: s }, response: null } as unknown as CompiledModel
  const sink = new MemorySink()
  const call = new Call(createTestExchange({ path: '/v1/chat/completions', body: { model: 'm' } }), sink, 'chat', 'openai', undefined)
  call.model = call.route = model
  call.cx = { headers: [], stream: false } as unknown as RequestContext
  let upstream = 0
  const wrap = compileCacheWrap(model, (c) => new Relay(c.sink, false, 'openai', c.cx!.headers, c, null))!
  await wrap(async (c) => {
    upstream++
    c.target = target
    c.attempts = 1
    c.status = 200
    c.relay!.begin('application/json')
    c.relay!.chunk('{"answer":1}')
    c.relay!.finish(undefined)
  })(call)
  return { call, sink, upstream }
}

test('a store that answers later: HIT served from it, no upstream call', async () => {
  const hit: CachedResponse = { contentType: 'application/json', headers: [['x-llmgw-provider', 'p']], body: Buffer.from('{"cached":1}') }
  const { call, sink, upstream } = await run(store(() => Promise.resolve(hit) as unknown as CachedResponse))
  assert.equal(call.cache, 'HIT')
  assert.equal(upstream, 0)
  assert.equal(sink.body, '{"cached":1}')
  assert.equal(sink.headers['x-llmgw-cache'], 'HIT')
})

test('a store whose get fails (sync or async) is a MISS: the answer still comes, from the upstream; a failing set is ignored', async () => {
  for (const get of [() => { throw new Error('down') }, () => Promise.reject(new Error('down')) as unknown as CachedResponse]) {
    const { call, sink, upstream } = await run(store(get, () => Promise.reject(new Error('down')) as unknown as void))
    assert.equal(call.cache, 'MISS')
    assert.equal(upstream, 1)
    assert.equal(sink.body, '{"answer":1}')
    assert.equal(sink.headers['x-llmgw-cache'], 'MISS')
  }
})
