/** server/sink.ts: streaming under backpressure, client aborts firing ex.signal, aborts mid-write (SPEC §4). */
import assert from 'node:assert/strict'
import { connect } from 'node:net'
import { test } from 'node:test'
import { request } from 'undici'
import type { Route } from '../core/types.js'
import { createFakeGateway, sseRoute, startFakeServer } from '../testing/fake-gateway.js'

const CHUNK = 64 * 1024
const CHUNKS = 800 // 50 MB
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

test('50 MB to a slow reader: write() says false, drained() resumes, bounded lag, every byte in order', async (t) => {
  const stats = { written: 0, received: 0, maxAhead: 0, falses: 0, drains: 0 }
  const big: Route = {
    hasBody: false,
    async handle(ex, sink) {
      sink.start(200, [['content-type', 'application/octet-stream']])
      for (let i = 0; i < CHUNKS && !sink.isAborted; i++) {
        const ok = sink.write(Buffer.alloc(CHUNK, i % 251))
        stats.written += CHUNK
        stats.maxAhead = Math.max(stats.maxAhead, stats.written - stats.received)
        if (!ok) {
          stats.falses++
          await sink.drained()
          stats.drains++
        }
      }
      sink.end()
    },
  }
  const { url } = await startFakeServer(t, createFakeGateway({ main: { 'GET /big': big } }))
  const res = await request(`${url}/big`, { highWaterMark: 64 * 1024 })
  await sleep(400) // not reading: the server must feel it
  assert.ok(stats.falses > 0, 'write() never reported backpressure')
  const lagWhilePaused = stats.written
  let offset = 0
  for await (const piece of res.body as AsyncIterable<Buffer>) {
    for (let j = 0; j < piece.length; j += 997) {
      const at = offset + j
      if (piece[j] !== Math.floor(at / CHUNK) % 251) assert.fail(`byte ${at} out of order`)
    }
    offset += piece.length
    stats.received = offset
  }
  assert.equal(offset, CHUNK * CHUNKS)
  assert.equal(stats.drains, stats.falses)
  // Loopback kernel buffers can hold several MB; without backpressure the handler would have queued all 50 MB.
  assert.ok(lagWhilePaused < 16 * 1024 * 1024, `wrote ${lagWhilePaused} bytes while the client read nothing`)
  assert.ok(stats.maxAhead < 24 * 1024 * 1024, `ran ${stats.maxAhead} bytes ahead of the client`)
})

test('a client that disconnects mid-stream fires ex.signal within a second; nothing stays in flight', async (t) => {
  let abortedAt = 0
  const route = sseRoute(10_000, 20, () => (abortedAt = performance.now()))
  const { handle } = await startFakeServer(t, createFakeGateway({ main: { 'POST /sse': route } }))
  const socket = connect(handle.port, '127.0.0.1')
  socket.on('error', () => {})
  socket.write('POST /sse HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}')
  await new Promise<void>((resolve) => socket.once('data', () => resolve()))
  assert.equal(handle.inflight, 1)
  const leftAt = performance.now()
  socket.destroy()
  for (let i = 0; i < 100 && abortedAt === 0; i++) await sleep(10)
  assert.ok(abortedAt > 0, 'signal did not fire')
  assert.ok(abortedAt - leftAt < 1000)
  for (let i = 0; i < 100 && handle.inflight > 0; i++) await sleep(10)
  assert.equal(handle.inflight, 0)
})

test('200 clients vanishing at random points while responses are written: no crash, no leak, still serving', async (t) => {
  const bodyStream: Route = {
    hasBody: true,
    async handle(ex, sink) {
      sink.start(200, [['content-type', 'text/plain']])
      for (let i = 0; i < 50 && !sink.isAborted; i++) {
        if (!sink.write(Buffer.alloc(8 * 1024, 97))) await sink.drained()
        if (i % 10 === 0) await new Promise((r) => setImmediate(r))
      }
      sink.end('end')
    },
  }
  const quick: Route = { hasBody: false, handle: (_ex, sink) => sink.send(200, [], 'ok') }
  const { handle, url, errors } = await startFakeServer(
    t,
    createFakeGateway({ main: { 'POST /s': bodyStream, 'GET /q': quick, 'POST /sse': sseRoute(100, 1) } }),
  )
  let seed = 42
  const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n)
  const one = (i: number) =>
    new Promise<void>((resolve) => {
      const socket = connect(handle.port, '127.0.0.1')
      socket.on('error', () => {})
      socket.on('close', () => resolve())
      const kind = i % 3
      const req =
        kind === 0
          ? 'POST /s HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello'
          : kind === 1
            ? 'POST /sse HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n' + 'x'.repeat(rand(100))
            : 'GET /q HTTP/1.1\r\nHost: x\r\n\r\n'
      // cut in the headers, in the body, or while the response is being written
      const cut = rand(4)
      if (cut === 0) socket.write(req.slice(0, rand(req.length)), () => socket.destroy())
      else {
        socket.write(req)
        let seen = 0
        const after = rand(64 * 1024)
        socket.on('data', (d) => ((seen += d.length), seen >= after && socket.destroy()))
        setTimeout(() => socket.destroy(), rand(30))
      }
    })
  for (let batch = 0; batch < 10; batch++) await Promise.all(Array.from({ length: 20 }, (_, j) => one(batch * 20 + j)))
  for (let i = 0; i < 200 && handle.inflight > 0; i++) await sleep(10)
  assert.equal(handle.inflight, 0)
  assert.deepEqual(errors, [])
  const res = await request(`${url}/q`)
  assert.equal(await res.body.text(), 'ok')
})
