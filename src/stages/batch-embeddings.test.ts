/** Embeddings micro-batching (SPEC §3 batching.embeddings): concurrent requests share one upstream call. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { AttemptSink, ProviderClient, UpstreamCall } from '../core/provider.js'
import { wrapBatching } from './batch-embeddings.js'

function fakeUpstream() {
  const calls: unknown[][] = []
  const client: ProviderClient = {
    name: 'p', type: 'mock', close: async () => undefined,
    async call(req, sink) {
      const input = Array.isArray(req.body.input) ? (req.body.input as unknown[]) : [req.body.input]
      calls.push(input)
      const data = input.map((x, index) => ({ object: 'embedding', index, embedding: [String(x).length, index] }))
      sink.begin('application/json')
      sink.chunk(JSON.stringify({ object: 'list', data, model: 'e-1', usage: { prompt_tokens: input.length * 10, total_tokens: input.length * 10 } }))
      return { usage: { prompt_tokens: input.length * 10, completion_tokens: 0, total_tokens: input.length * 10 }, model: 'e-1', firstByteAt: performance.now() }
    },
  }
  return { client, calls }
}

function call(input: unknown, signal = new AbortController().signal): UpstreamCall {
  return { endpoint: 'embeddings', body: { model: 'e-1', input }, stream: false, clientWantsUsage: false, signal, timeoutMs: 5000, clientFormat: 'openai' }
}

function collector() {
  let text = ''
  const sink: AttemptSink = { begin: () => undefined, chunk: (c) => ((text += String(c)), true), drained: () => Promise.resolve() }
  return { sink, json: () => JSON.parse(text) as { data: Array<{ index: number; embedding: number[] }>; usage: { prompt_tokens: number } } }
}

test('requests within maxWait go upstream as one call and each gets its own vectors, re-indexed', async () => {
  const up = fakeUpstream()
  const b = wrapBatching(up.client, { maxBatch: 64, maxWaitMs: 20 })
  const a = collector(), c = collector()
  const [ra, rc] = await Promise.all([b.call(call('hello'), a.sink), b.call(call(['x', 'yy']), c.sink)])
  assert.equal(up.calls.length, 1)
  assert.deepEqual(up.calls[0], ['hello', 'x', 'yy'])
  assert.deepEqual(a.json().data.map((d) => d.embedding), [[5, 0]])
  assert.deepEqual(c.json().data.map((d) => [d.index, d.embedding[0]]), [[0, 1], [1, 2]])
  assert.equal(ra.usage?.prompt_tokens, 10)
  assert.equal(rc.usage?.prompt_tokens, 20)
})

test('a full batch goes at once; different dimensions never share a call', async () => {
  const up = fakeUpstream()
  const b = wrapBatching(up.client, { maxBatch: 2, maxWaitMs: 10_000 })
  const t0 = performance.now()
  await Promise.all([b.call(call('a'), collector().sink), b.call(call('b'), collector().sink)])
  assert.ok(performance.now() - t0 < 5_000, 'flushed on size, not on the 10 s wait')
  const other = { ...call('c'), body: { model: 'e-1', input: 'c', dimensions: 4 } }
  const b2 = wrapBatching(up.client, { maxBatch: 64, maxWaitMs: 5 })
  await Promise.all([b2.call(call('d'), collector().sink), b2.call(other, collector().sink)])
  assert.equal(up.calls.length, 3)
})

test('chat calls and streams pass straight through', async () => {
  const up = fakeUpstream()
  const b = wrapBatching(up.client, { maxBatch: 8, maxWaitMs: 10_000 })
  const chat: UpstreamCall = { ...call('x'), endpoint: 'chat', body: { model: 'm', input: ['q'] } }
  await b.call(chat, collector().sink)
  assert.equal(up.calls.length, 1)
})

test('a client that left before the flush is dropped from the batch', async () => {
  const up = fakeUpstream()
  const b = wrapBatching(up.client, { maxBatch: 64, maxWaitMs: 20 })
  const ac = new AbortController()
  const gone = b.call(call('bye', ac.signal), collector().sink)
  const stays = collector()
  const kept = b.call(call('stay'), stays.sink)
  ac.abort()
  await assert.rejects(gone)
  await kept
  assert.deepEqual(up.calls[0], ['stay'], 'only the remaining client went upstream')
})

test('a malformed batched answer fails every waiter with upstream_error, not an internal error', async () => {
  const bad: ProviderClient = {
    name: 'p', type: 'mock', close: async () => undefined,
    async call(_req, sink) {
      sink.begin('application/json')
      sink.chunk('{"object":"list","data":{"not":"a list"}}')
      return { usage: undefined, model: undefined, firstByteAt: undefined }
    },
  }
  const b = wrapBatching(bad, { maxBatch: 64, maxWaitMs: 10 })
  const results = await Promise.allSettled([b.call(call('a'), collector().sink), b.call(call('b'), collector().sink)])
  for (const r of results) {
    assert.equal(r.status, 'rejected')
    assert.equal((r as PromiseRejectedResult).reason.code, 'upstream_error')
  }
})
