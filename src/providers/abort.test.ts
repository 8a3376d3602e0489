/** Abort and backpressure with real undici against the uWS mock: a client that leaves stops the upstream at once. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { GatewayError } from '../core/errors.js'
import { Secret } from '../core/secret.js'
import { startMockServer } from '../mock/server.js'
import { createProviderClient } from './index.js'
import type { AttemptSink, UpstreamCall } from './types.js'

type After = { after(fn: () => unknown): void }
const chat = { model: 'mock-1', messages: [{ role: 'user', content: 'hi' }], stream: true }
const call = (signal: AbortSignal, headers: Record<string, string>): UpstreamCall => ({
  endpoint: 'chat',
  body: chat,
  stream: true,
  clientWantsUsage: false,
  signal,
  timeoutMs: 10_000,
  clientFormat: 'openai',
  headers,
})

async function setup(t: After) {
  const m = await startMockServer({})
  const c = createProviderClient({ name: 'up', type: 'openai', baseUrl: `${m.url}/v1`, apiKey: new Secret('k'), headers: {}, timeoutMs: 10_000, connections: 2 })
  t.after(async () => {
    await c.close()
    await m.close()
  })
  return { m, c }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

test('aborting the signal mid-stream aborts the upstream: the mock records it within a second', async (t) => {
  const { m, c } = await setup(t)
  const ac = new AbortController()
  let chunks = 0
  let firstChunk: () => void = () => undefined
  const gotFirst = new Promise<void>((r) => (firstChunk = r))
  const sink: AttemptSink = {
    begin: () => undefined,
    chunk: () => {
      if (++chunks === 1) firstChunk()
      return true
    },
    drained: () => Promise.resolve(),
  }
  const p = c.call(call(ac.signal, { 'x-mock-tokens-per-second': '20', 'x-mock-answer-tokens': '200' }), sink)
  await gotFirst
  const abortedAt = Date.now()
  ac.abort()
  await assert.rejects(p, (e: unknown) => e instanceof GatewayError && e.code === 'upstream_error')
  const seen = chunks
  for (let i = 0; i < 50 && m.stats().aborted === 0; i++) await sleep(20)
  const s = m.stats()
  assert.equal(s.aborted, 1)
  assert.ok(s.lastAbortAt !== undefined && s.lastAbortAt - abortedAt < 1000)
  await sleep(150)
  assert.equal(chunks, seen, 'nothing relayed after the abort')
})

test('an abort reason that is a GatewayError (request timeout) is what the call rejects with', async (t) => {
  const { c } = await setup(t)
  const ac = new AbortController()
  const p = c.call(call(ac.signal, { 'x-mock-fail': 'hang' }), { begin: () => undefined, chunk: () => true, drained: () => Promise.resolve() })
  await sleep(50)
  ac.abort(new GatewayError('upstream_timeout', 'request timeout'))
  await assert.rejects(p, (e: unknown) => e instanceof GatewayError && e.message === 'request timeout')
})

test('backpressure: a sink returning false pauses the upstream read until drained() resolves', async (t) => {
  const { c } = await setup(t)
  let chunks = 0
  let text = ''
  let release: () => void = () => undefined
  const drained = new Promise<void>((r) => (release = r))
  let pausedAt = -1
  const sink: AttemptSink = {
    begin: () => undefined,
    chunk: (b) => {
      text += typeof b === 'string' ? b : Buffer.from(b).toString('utf8')
      chunks++
      if (pausedAt < 0 && chunks >= 2) {
        pausedAt = chunks
        return false
      }
      return true
    },
    drained: () => drained,
  }
  // 200 tokens/s: each event arrives in its own TCP segment, so a paused read really stops the flow
  const p = c.call(call(new AbortController().signal, { 'x-mock-tokens-per-second': '200', 'x-mock-answer-tokens': '30' }), sink)
  for (let i = 0; i < 100 && pausedAt < 0; i++) await sleep(10)
  assert.ok(pausedAt > 0)
  await sleep(300) // the mock has sent everything by now
  const whilePaused = chunks
  assert.ok(whilePaused <= pausedAt + 2, `paused: ${whilePaused} chunks, paused at ${pausedAt}`)
  release()
  const r = await p
  // every event arrives (writes after the pause may carry several: what was read while paused goes out together)
  assert.equal(text.match(/^data: /gm)?.length, 33) // role + 30 + finish + [DONE]
  assert.equal(r.usage?.completion_tokens, 30)
})
