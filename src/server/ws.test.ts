/** server/ws.ts: GET /v1/ws chat over WebSocket: chunks then done, errors in-band, aborts, backpressure (SPEC §4). */
import assert from 'node:assert/strict'
import { connect } from 'node:net'
import { test } from 'node:test'
import { WebSocket } from 'undici'
import { GatewayError } from '../core/errors.js'
import type { Route } from '../core/types.js'
import { createFakeGateway, startFakeServer, textRoute } from '../testing/fake-gateway.js'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

interface Probe {
  aborts: number
  falses: number
  sawStream: unknown[]
}

/** A chat route speaking SSE: `n` chunks `{"i":..}` (default 3), then [DONE]; model "bad" -> 400; "big" -> 4000 x 4 KB. */
function chatRoute(probe: Probe): Route {
  return {
    hasBody: true,
    async handle(ex, sink) {
      const req = JSON.parse(Buffer.from(ex.body).toString()) as { model: string; stream: unknown; n?: number; gapMs?: number }
      probe.sawStream.push(req.stream)
      ex.signal.addEventListener('abort', () => probe.aborts++)
      if (req.model === 'bad') throw new GatewayError('model_not_found', `no model ${req.model}`)
      sink.start(200, [['content-type', 'text/event-stream']])
      const big = req.model === 'big'
      const n = big ? 4000 : (req.n ?? 3)
      const pad = big ? 'x'.repeat(4096) : ''
      for (let i = 0; i < n && !sink.isAborted; i++) {
        // split events across writes on purpose: the sink must reassemble lines
        const event = `: keepalive\n\ndata: {"i":${i},"model":"${req.model}","pad":"${pad}"}\n\n`
        const cut = i % 7
        if (!sink.write(event.slice(0, cut))) {
          probe.falses++
          await sink.drained()
        }
        if (!sink.write(event.slice(cut))) {
          probe.falses++
          await sink.drained()
        }
        if (req.gapMs) await sleep(req.gapMs)
      }
      sink.end('data: [DONE]\n\n')
    },
  }
}

async function setup(t: Parameters<typeof startFakeServer>[0]) {
  const probe: Probe = { aborts: 0, falses: 0, sawStream: [] }
  const g = createFakeGateway({ main: { 'GET /hello': textRoute('hi') }, ws: chatRoute(probe) })
  const { handle } = await startFakeServer(t, g)
  return { probe, handle, wsUrl: `ws://127.0.0.1:${handle.port}/v1/ws` }
}

/** Opens a socket; `next()` resolves with the next message text. */
async function open(url: string) {
  const ws = new WebSocket(url)
  const inbox: string[] = []
  const waiting: Array<(s: string) => void> = []
  ws.onmessage = (e) => {
    const text = String(e.data)
    const w = waiting.shift()
    if (w) w(text)
    else inbox.push(text)
  }
  await new Promise<void>((resolve, reject) => ((ws.onopen = () => resolve()), (ws.onerror = reject)))
  const next = () => (inbox.length > 0 ? Promise.resolve(inbox.shift()!) : new Promise<string>((r) => waiting.push(r)))
  const untilDone = async () => {
    const got: string[] = []
    for (let m = await next(); m !== '{"type":"done"}'; m = await next()) got.push(m)
    return got
  }
  return { ws, next, untilDone }
}

test('each message is answered with the chunk JSONs, then {"type":"done"}; stream is forced on', async (t) => {
  const { wsUrl, probe } = await setup(t)
  const c = await open(wsUrl)
  t.after(() => c.ws.close())
  c.ws.send(JSON.stringify({ model: 'm', messages: [], stream: false }))
  const got = await c.untilDone()
  assert.deepEqual(
    got.map((m) => (JSON.parse(m) as { i: number }).i),
    [0, 1, 2],
  )
  assert.deepEqual(probe.sawStream, [true])
  // two at once: replies come one request after the other, never interleaved
  c.ws.send(JSON.stringify({ model: 'a', n: 5, gapMs: 2 }))
  c.ws.send(JSON.stringify({ model: 'b', n: 5 }))
  const a = await c.untilDone()
  const b = await c.untilDone()
  assert.deepEqual(
    a.map((m) => (JSON.parse(m) as { model: string }).model),
    ['a', 'a', 'a', 'a', 'a'],
  )
  assert.equal(b.length, 5)
})

test('malformed messages and failed requests get an error message and done; the socket stays open', async (t) => {
  const { wsUrl } = await setup(t)
  const c = await open(wsUrl)
  t.after(() => c.ws.close())
  c.ws.send('{not json')
  const [bad] = await c.untilDone()
  assert.equal((JSON.parse(bad!) as { error: { code: string } }).error.code, 'invalid_json')
  c.ws.send('[1,2]')
  const [notObject] = await c.untilDone()
  assert.equal((JSON.parse(notObject!) as { error: { code: string } }).error.code, 'invalid_request')
  c.ws.send(JSON.stringify({ model: 'bad', messages: [] }))
  const [nf] = await c.untilDone()
  assert.equal((JSON.parse(nf!) as { error: { code: string } }).error.code, 'model_not_found')
  c.ws.send(JSON.stringify({ model: 'ok', messages: [] }))
  assert.equal((await c.untilDone()).length, 3)
})

test('closing the socket aborts its in-flight request', async (t) => {
  const { wsUrl, probe, handle } = await setup(t)
  const c = await open(wsUrl)
  c.ws.send(JSON.stringify({ model: 'slow', n: 1000, gapMs: 10 }))
  await c.next()
  assert.equal(handle.inflight, 1)
  c.ws.close()
  for (let i = 0; i < 100 && probe.aborts === 0; i++) await sleep(10)
  assert.equal(probe.aborts, 1)
  for (let i = 0; i < 100 && handle.inflight > 0; i++) await sleep(10)
  assert.equal(handle.inflight, 0)
})

test('a plain GET /v1/ws without upgrade goes to the router (404 here)', async (t) => {
  const { handle } = await setup(t)
  const res = await fetch(`http://127.0.0.1:${handle.port}/v1/ws`)
  assert.equal(res.status, 404)
})

test('a slow WebSocket reader: write() reports backpressure, drained() resumes, no message lost', async (t) => {
  const { handle, probe } = await setup(t)
  const socket = connect(handle.port, '127.0.0.1')
  socket.on('error', () => {})
  await new Promise((r) => socket.once('connect', r))
  socket.write(
    'GET /v1/ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
  )
  let buf = Buffer.alloc(0)
  await new Promise<void>((resolve) =>
    socket.on('data', function onHead(d: Buffer) {
      buf = Buffer.concat([buf, d])
      const end = buf.indexOf('\r\n\r\n')
      if (end === -1) return
      assert.match(buf.subarray(0, end).toString(), /^HTTP\/1\.1 101/)
      buf = buf.subarray(end + 4)
      socket.off('data', onHead)
      resolve()
    }),
  )
  socket.pause()
  // one masked text frame from the client
  const payload = Buffer.from(JSON.stringify({ model: 'big' }))
  const mask = Buffer.from([1, 2, 3, 4])
  const masked = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]!))
  socket.write(Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, masked]))
  await sleep(400)
  assert.ok(probe.falses > 0, 'write() never reported backpressure')
  let messages = 0
  let isDone = false
  socket.on('data', (d: Buffer) => {
    buf = Buffer.concat([buf, d])
    for (;;) {
      if (buf.length < 2) return
      let len = buf[1]! & 0x7f
      let at = 2
      if (len === 126) {
        if (buf.length < 4) return
        len = buf.readUInt16BE(2)
        at = 4
      } else if (len === 127) {
        if (buf.length < 10) return
        len = Number(buf.readBigUInt64BE(2))
        at = 10
      }
      if (buf.length < at + len) return
      const text = buf.subarray(at, at + len).toString()
      buf = buf.subarray(at + len)
      if (text === '{"type":"done"}') isDone = true
      else {
        assert.equal((JSON.parse(text) as { i: number }).i, messages)
        messages++
      }
    }
  })
  socket.resume()
  for (let i = 0; i < 500 && !isDone; i++) await sleep(10)
  assert.equal(isDone, true)
  assert.equal(messages, 4000)
  socket.destroy()
})
