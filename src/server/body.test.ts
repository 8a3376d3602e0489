/** server/body.ts: bodies read whole under the cap, 413 request_too_large over it without reading it all (SPEC §4). */
import assert from 'node:assert/strict'
import { connect, type Socket } from 'node:net'
import { Readable } from 'node:stream'
import { test } from 'node:test'
import { request } from 'undici'
import type { Route } from '../core/types.js'
import { createFakeGateway, startFakeServer } from '../testing/fake-gateway.js'

const CAP = 64 * 1024

function setup() {
  let calls = 0
  const sizeRoute: Route = {
    hasBody: true,
    handle: (ex, sink) => {
      calls++
      let sum = 0
      for (const b of ex.body) sum = (sum + b) % 65521
      sink.send(200, [['content-type', 'application/json']], JSON.stringify({ bytes: ex.body.byteLength, sum }))
    },
  }
  const gateway = createFakeGateway({ maxBodyBytes: CAP, main: { 'POST /size': sizeRoute } })
  return { gateway, calls: () => calls }
}

function checksum(buf: Uint8Array): number {
  let sum = 0
  for (const b of buf) sum = (sum + b) % 65521
  return sum
}

/** Raw HTTP/1.1 client: collects the response text; `closed` resolves when the server closes the socket. */
function rawClient(port: number): { socket: Socket; text: () => string; closed: Promise<void>; responded: Promise<void> } {
  const socket = connect(port, '127.0.0.1')
  let text = ''
  let onResp: () => void
  const responded = new Promise<void>((r) => (onResp = r))
  socket.on('data', (d) => {
    text += d.toString('latin1')
    if (text.includes('\r\n\r\n')) onResp()
  })
  socket.on('error', () => {}) // the server closing mid-upload may reset us: expected here
  const closed = new Promise<void>((r) => socket.on('close', () => r()))
  return { socket, text: () => text, closed, responded }
}

test('bodies under the cap arrive whole, with content-length and chunked', async (t) => {
  const s = setup()
  const { url } = await startFakeServer(t, s.gateway)
  const body = Buffer.alloc(CAP, 7)
  body[100] = 1
  const res = await request(`${url}/size`, { method: 'POST', body })
  assert.deepEqual(await res.body.json(), { bytes: CAP, sum: checksum(body) })
  async function* parts() {
    for (let i = 0; i < 8; i++) yield Buffer.alloc(1000, i)
  }
  const chunked = await request(`${url}/size`, { method: 'POST', body: Readable.from(parts()) })
  assert.equal(((await chunked.body.json()) as { bytes: number }).bytes, 8000)
  const empty = await request(`${url}/size`, { method: 'POST' })
  assert.equal(((await empty.body.json()) as { bytes: number }).bytes, 0)
})

test('content-length over the cap -> 413 at once, before any body byte is sent, with connection: close', async (t) => {
  const s = setup()
  const { handle } = await startFakeServer(t, s.gateway)
  const c = rawClient(handle.port)
  c.socket.write(`POST /size HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${50 * 1024 * 1024}\r\n\r\n`)
  await c.responded
  assert.match(c.text(), /^HTTP\/1\.1 413 /)
  assert.match(c.text(), /\r\nconnection: close\r\n/i)
  assert.match(c.text(), /x-request-id: /i)
  for (let i = 0; i < 100 && !c.text().includes('request_too_large'); i++) await new Promise((r) => setTimeout(r, 10))
  assert.match(c.text(), /"code":"request_too_large"/)
  c.socket.end()
  assert.equal(s.calls(), 0)
  assert.equal(handle.inflight, 0)
})

test('a chunked body passing the cap -> 413 while the client is still sending; the route never runs', async (t) => {
  const s = setup()
  const { handle } = await startFakeServer(t, s.gateway)
  const c = rawClient(handle.port)
  c.socket.write('POST /size HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n')
  const piece = Buffer.alloc(4096, 120)
  const frame = Buffer.concat([Buffer.from('1000\r\n'), piece, Buffer.from('\r\n')])
  const totalPieces = 2560 // 10 MB offered, 64 KB allowed
  let sent = 0
  let gotResponse = false
  void c.responded.then(() => (gotResponse = true))
  for (; sent < totalPieces && !gotResponse && !c.socket.destroyed; sent++) {
    if (!c.socket.write(frame)) await new Promise((r) => setTimeout(r, 5))
    if (sent % 8 === 0) await new Promise((r) => setImmediate(r))
  }
  await c.responded
  assert.match(c.text(), /^HTTP\/1\.1 413 /)
  assert.ok(sent < totalPieces, `413 came only after the whole body was sent (${sent} pieces)`)
  c.socket.end()
  await c.closed
  assert.equal(s.calls(), 0)
  assert.equal(handle.inflight, 0)
})

test('a real client uploading too much sees the 413 (no reset that would hide it)', async (t) => {
  const s = setup()
  const { url } = await startFakeServer(t, s.gateway)
  const res = await request(`${url}/size`, { method: 'POST', body: Buffer.alloc(8 * 1024 * 1024) })
  assert.equal(res.statusCode, 413)
  assert.equal(((await res.body.json()) as { error: { code: string } }).error.code, 'request_too_large')
  async function* parts() {
    for (let i = 0; i < 2000; i++) yield Buffer.alloc(4096, i)
  }
  const chunked = await request(`${url}/size`, { method: 'POST', body: Readable.from(parts()) })
  assert.equal(chunked.statusCode, 413)
  await chunked.body.dump()
  assert.equal(s.calls(), 0)
})

test('a client leaving in the middle of its upload is not counted in flight any more', async (t) => {
  const s = setup()
  const { handle } = await startFakeServer(t, s.gateway)
  const c = rawClient(handle.port)
  c.socket.write('POST /size HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nabc')
  for (let i = 0; i < 50 && handle.inflight === 0; i++) await new Promise((r) => setTimeout(r, 10))
  assert.equal(handle.inflight, 1)
  c.socket.destroy()
  for (let i = 0; i < 100 && handle.inflight > 0; i++) await new Promise((r) => setTimeout(r, 10))
  assert.equal(handle.inflight, 0)
  assert.equal(s.calls(), 0)
})

test('parseContentLength: -1 when absent, the number for 1-15 digits, NaN for anything else (as the regex it replaced)', async () => {
  const { parseContentLength } = await import('./body.js')
  const byRegex = (v: string): number => (v === '' ? -1 : /^\d{1,15}$/.test(v) ? Number(v) : Number.NaN)
  const samples = ['', '0', '7', '007', '1048576', '999999999999999', '1000000000000000', '12a', ' 12', '12 ', '-1', '+1', '1.5', '1e3', '0x10', '١٢', '\u0000']
  for (let n = 0; n < 2000; n++) samples.push(String(n * 7919))
  for (const v of samples) assert.deepEqual(parseContentLength(v), byRegex(v), JSON.stringify(v))
})
