/** HEAD end to end (SPEC §4 GET /v1/models): the headers of GET, content-length included, and never a body. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { connect } from 'node:net'
import { request } from 'undici'
import { startE2E } from '../testing/e2e-specs.js'

test('HEAD /v1/models: the headers of GET, no body; the next request on the connection is answered properly', async (t) => {
  const { gw } = await startE2E(t)
  const auth = 'authorization: Bearer client-key\r\n'
  const get = await request(`${gw.url}/v1/models`, { headers: { authorization: 'Bearer client-key' } })
  const body = await get.body.text()
  assert.equal(get.statusCode, 200)
  const port = Number(new URL(gw.url).port)
  const s = connect(port, '127.0.0.1')
  let text = ''
  s.on('data', (d) => (text += d.toString('latin1')))
  s.write(`HEAD /v1/models HTTP/1.1\r\nHost: x\r\n${auth}\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n`)
  const end = Date.now() + 5000
  while (!/\r\n\r\nok$/.test(text) && Date.now() < end) await new Promise((r) => setTimeout(r, 10))
  s.destroy()
  const [head, second, rest] = text.split('\r\n\r\n')
  assert.match(head!, /^HTTP\/1\.1 200 OK/, text)
  assert.match(head!, /\r\ncontent-type: application\/json/i)
  assert.match(head!, new RegExp(`\\r\\ncontent-length: ${Buffer.byteLength(body)}(\\r\\n|$)`, 'i'))
  assert.match(second!, /^HTTP\/1\.1 200 OK/, `the HEAD sent a body: ${JSON.stringify(text)}`)
  assert.equal(rest, 'ok')
})
