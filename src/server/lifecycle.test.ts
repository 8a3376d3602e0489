/** server/server.ts: swap() mid-stream, drain() with streams in flight, grace expiry, close (SPEC §2 serve, §6). */
import assert from 'node:assert/strict'
import { connect } from 'node:net'
import { test } from 'node:test'
import { request } from 'undici'
import type { Route } from '../core/types.js'
import { createFakeGateway, startFakeServer, textRoute } from '../testing/fake-gateway.js'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Writes `label` `count` times, `gapMs` apart. */
function labelled(label: string, count: number, gapMs: number, onAbort?: () => void): Route {
  return {
    hasBody: false,
    async handle(ex, sink) {
      ex.signal.addEventListener('abort', () => onAbort?.())
      sink.start(200, [['content-type', 'text/plain']])
      for (let i = 0; i < count && !sink.isAborted; i++) {
        sink.write(label)
        await sleep(gapMs)
      }
      sink.end()
    },
  }
}

const refused = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = connect(port, '127.0.0.1')
    s.on('connect', () => (s.destroy(), resolve(false)))
    s.on('error', () => resolve(true))
  })

test('swap() mid-stream: the running request finishes on the old Gateway, new ones use the new one; whenIdle(old)', async (t) => {
  const a = createFakeGateway({ version: 'a', main: { 'GET /s': labelled('A', 10, 20), 'GET /v': textRoute('A') } })
  const b = createFakeGateway({ version: 'b', main: { 'GET /s': labelled('B', 10, 20), 'GET /v': textRoute('B') } })
  const { url, handle } = await startFakeServer(t, a)
  const running = await request(`${url}/s`)
  const text = running.body.text()
  await sleep(30)
  handle.swap(b)
  let isOldIdle = false
  void handle.whenIdle(a).then(() => (isOldIdle = true))
  const v = await request(`${url}/v`)
  assert.equal(await v.body.text(), 'B')
  assert.equal(isOldIdle, false, 'old Gateway reported idle with its stream still running')
  assert.equal(await text, 'A'.repeat(10))
  await handle.whenIdle(a)
  await handle.whenIdle(b) // nothing running on b: at once
  const s2 = await request(`${url}/s`)
  assert.equal(await s2.body.text(), 'B'.repeat(10))
})

test('drain(): stops listening at once, lets the in-flight stream complete, then closes', async (t) => {
  const g = createFakeGateway({ main: { 'GET /s': labelled('x', 15, 20), 'GET /v': textRoute('v') } })
  const { url, handle } = await startFakeServer(t, g)
  const idle = await request(`${url}/v`) // leaves a keep-alive connection behind
  await idle.body.dump()
  const running = await request(`${url}/s`)
  const text = running.body.text()
  const drained = handle.drain(5000)
  assert.equal(handle.isDraining, true)
  assert.equal(handle.inflight, 1)
  assert.equal(await refused(handle.port), true, 'still accepting connections while draining')
  let isDrainDone = false
  void drained.then(() => (isDrainDone = true))
  await sleep(50)
  assert.equal(isDrainDone, false, 'drain resolved with a stream in flight')
  assert.equal(await text, 'x'.repeat(15))
  await drained
  assert.equal(handle.inflight, 0)
})

test('drain(): a stream longer than the grace ends with an error event when it expires, and its signal fires', async (t) => {
  let aborted = false
  const g = createFakeGateway({ main: { 'GET /s': labelled('x', 1000, 20, () => (aborted = true)) } })
  const { url, handle } = await startFakeServer(t, g)
  const running = await request(`${url}/s`)
  const text = running.body.text()
  const started = performance.now()
  await handle.drain(200)
  assert.ok(performance.now() - started >= 150)
  // a last event says why, rather than a bare cut that many SSE clients take for a complete answer
  assert.match(await text, /data: \{"error":\{"message":"llmgw is shutting down[^"]*","type":"[^"]+","param":null,"code":"upstream_unavailable"\}\}\n\n$/)
  for (let i = 0; i < 100 && !aborted; i++) await sleep(10)
  assert.equal(aborted, true)
})

test('stopListening() keeps serving open connections; close() ends them', async (t) => {
  const g = createFakeGateway({ main: { 'GET /v': textRoute('v') } })
  const { handle } = await startFakeServer(t, g)
  const socket = connect(handle.port, '127.0.0.1')
  await new Promise((r) => socket.once('connect', r))
  handle.stopListening()
  assert.equal(await refused(handle.port), true)
  socket.write('GET /v HTTP/1.1\r\nHost: x\r\n\r\n')
  const reply = await new Promise<string>((r) => socket.once('data', (d) => r(d.toString())))
  assert.match(reply, /^HTTP\/1\.1 200 OK/)
  const closed = new Promise((r) => socket.on('close', r))
  handle.close()
  await closed
})
