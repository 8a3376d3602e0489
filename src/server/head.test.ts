/** server/: HEAD answers as GET without a body (any route, errors included), and the connection serves on (SPEC §4). */
import assert from 'node:assert/strict'
import { connect } from 'node:net'
import { test } from 'node:test'
import { request } from 'undici'
import { compileRouter } from '../compile/router.js'
import type { Route } from '../core/types.js'
import { createFakeGateway, startFakeServer, textRoute } from '../testing/fake-gateway.js'

const streamRoute: Route = {
  hasBody: false,
  handle: (_ex, sink) => {
    sink.start(200, [['content-type', 'text/event-stream']])
    sink.write('data: 1\n\n')
    sink.end('data: [DONE]\n\n')
  },
}
const postRoute: Route = { hasBody: true, handle: (_ex, sink) => sink.send(200, [['content-type', 'text/plain']], 'posted') }

async function setup(t: Parameters<typeof startFakeServer>[0]) {
  const gateway = createFakeGateway({ main: {} })
  // the real router: it is what maps HEAD to the GET route
  const g = { ...gateway, main: compileRouter({ '/hello': { GET: textRoute('héllo') }, '/stream': { GET: streamRoute }, '/post': { POST: postRoute } }) }
  return startFakeServer(t, g)
}

/** Raw HTTP/1.1 on one socket: everything received. */
function raw(port: number) {
  const socket = connect(port, '127.0.0.1')
  let text = ''
  socket.on('data', (d) => (text += d.toString('latin1')))
  socket.on('error', () => {})
  return { socket, text: () => text }
}

const until = async (cond: () => boolean, ms: number): Promise<void> => {
  const end = Date.now() + ms
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 10))
}

/** Splits raw HTTP/1.1 responses that carry no body (or a body as long as their content-length). */
const heads = (text: string): string[] => text.split('\r\n\r\n').filter((h) => h.startsWith('HTTP/1.1'))

test('HEAD of a GET route: status and headers of GET with its content-length, no body; the connection serves on', async (t) => {
  const { handle, url } = await setup(t)
  const get = await request(`${url}/hello`)
  const getBody = await get.body.text()
  assert.equal(getBody, 'héllo')
  const c = raw(handle.port)
  c.socket.write('HEAD /hello HTTP/1.1\r\nHost: x\r\n\r\n')
  await until(() => c.text().includes('\r\n\r\n'), 2000)
  // a second HEAD and a GET on the same connection: a body after the first head would show up as garbage here
  c.socket.write('HEAD /stream HTTP/1.1\r\nHost: x\r\n\r\nHEAD /nope HTTP/1.1\r\nHost: x\r\n\r\nGET /hello HTTP/1.1\r\nHost: x\r\n\r\n')
  await until(() => c.text().endsWith('héllo'.replace('é', '\xc3\xa9')), 2000)
  const text = c.text()
  const parts = text.split('\r\n\r\n')
  assert.equal(parts.length, 5, JSON.stringify(text))
  assert.match(parts[0]!, /^HTTP\/1\.1 200 OK/)
  assert.match(parts[0]!, /\r\ncontent-type: text\/plain/)
  assert.match(parts[0]!, new RegExp(`\\r\\ncontent-length: ${Buffer.byteLength(getBody)}`, 'i'))
  assert.match(parts[1]!, /^HTTP\/1\.1 200 OK[\s\S]*content-type: text\/event-stream/, 'a streamed GET answers HEAD with its head only')
  assert.match(parts[2]!, /^HTTP\/1\.1 404 /, 'errors to HEAD carry no body either')
  assert.match(parts[3]!, /^HTTP\/1\.1 200 OK/)
  assert.equal(parts[4], 'h\xc3\xa9llo', 'the GET after the HEADs gets exactly its body')
  assert.equal(heads(text).length, 4)
  c.socket.destroy()
})

test('HEAD on a POST-only path: 405 without a body', async (t) => {
  const { url } = await setup(t)
  const res = await request(`${url}/post`, { method: 'HEAD' })
  assert.equal(res.statusCode, 405)
  assert.equal(await res.body.text(), '')
  assert.ok(Number(res.headers['content-length']) > 0, 'the length of the GET-equivalent answer')
})
