/** Bad input and failing upstreams end to end (SPEC §4 error table): clear OpenAI errors, never a crash or a hang. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { connect } from 'node:net'
import OpenAI from 'openai'
import { startE2E } from '../testing/e2e-specs.js'
import { loadOpenAISchemas, validateOpenAI } from '../testing/openai-schema.js'

const messages = [{ role: 'user' as const, content: 'hi' }]

async function post(url: string, body: string, headers: Record<string, string> = {}) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body, signal: AbortSignal.timeout(8000) })
  const text = await res.text()
  return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) as { error: { code: string; param: string | null; type: string } } }
}

const assertErrorShape = (body: unknown): void => {
  if (loadOpenAISchemas()) assert.deepEqual(validateOpenAI('ErrorResponse', body), [])
}

test('the SDK sees the right error classes: NotFoundError, BadRequestError with param', async (t) => {
  const { client } = await startE2E(t)
  await assert.rejects(client.chat.completions.create({ model: 'nope', messages }), (e: unknown) => {
    assert.ok(e instanceof OpenAI.NotFoundError)
    assert.equal(e.code, 'model_not_found')
    return true
  })
  await assert.rejects(client.chat.completions.create({ model: 'sim-model' } as never), (e: unknown) => {
    assert.ok(e instanceof OpenAI.BadRequestError)
    assert.equal(e.code, 'invalid_request')
    assert.equal(e.param, 'messages')
    return true
  })
  await assert.rejects(client.chat.completions.create({ model: 'sim-model', messages, max_tokens: -1 }), OpenAI.BadRequestError)
})

test('malformed JSON is 400 invalid_json; a missing model names the param', async (t) => {
  const { gw } = await startE2E(t)
  const bad = await post(`${gw.url}/v1/chat/completions`, '{"model": "sim-model", "messages": [')
  assert.equal(bad.status, 400)
  assert.equal(bad.json().error.code, 'invalid_json')
  assertErrorShape(bad.json())
  const noModel = await post(`${gw.url}/v1/chat/completions`, JSON.stringify({ messages }))
  assert.equal(noModel.status, 400)
  assert.equal(noModel.json().error.param, 'model')
  assertErrorShape(noModel.json())
})

test('unknown paths are 404 not_found; wrong methods 405 with allow', async (t) => {
  const { gw } = await startE2E(t)
  const nf = await fetch(`${gw.url}/v1/nothing-here`)
  assert.equal(nf.status, 404)
  const nfBody = await nf.json()
  assert.equal((nfBody as { error: { code: string } }).error.code, 'not_found')
  assertErrorShape(nfBody)
  const wrong = await fetch(`${gw.url}/v1/chat/completions`)
  assert.equal(wrong.status, 405)
  assert.equal(wrong.headers.get('allow'), 'POST')
  assertErrorShape(await wrong.json())
})

/**
 * One HTTP/1.1 request on a raw socket: writes `head`, then each of `chunks` only while no answer has come, and
 * resolves with the answer parsed off the socket as it arrives (complete once its content-length is in). A reset or
 * a close before a complete answer rejects: the oversized-body test must fail if the gateway resets instead of answering.
 */
function rawExchange(url: string, head: string, chunks: string[]): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  const { hostname, port } = new URL(url)
  return new Promise((resolve, reject) => {
    const sock = connect({ host: hostname, port: Number(port) })
    const timer = setTimeout(() => fail(new Error('no complete answer within 8 s')), 8000)
    let got = Buffer.alloc(0)
    let done = false
    const fail = (e: Error): void => {
      if (done) return
      done = true
      clearTimeout(timer)
      sock.destroy()
      reject(new Error(`${e.message}; received before: ${JSON.stringify(got.toString('latin1').slice(0, 300))}`))
    }
    const parsed = () => {
      const text = got.toString('latin1')
      const end = text.indexOf('\r\n\r\n')
      if (end < 0) return undefined
      const [status, ...lines] = text.slice(0, end).split('\r\n')
      const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]))
      const body = got.subarray(Buffer.byteLength(text.slice(0, end + 4), 'latin1'))
      const length = Number(headers['content-length'])
      if (!(length >= 0) || body.byteLength < length) return undefined
      return { status: Number(/^HTTP\/1\.1 (\d{3}) /.exec(status ?? '')?.[1]), headers, body: body.subarray(0, length).toString('utf8') }
    }
    sock.on('data', (d: Buffer) => {
      got = Buffer.concat([got, d])
      const answer = parsed()
      if (!answer || done) return
      done = true
      clearTimeout(timer)
      sock.destroy()
      resolve(answer)
    })
    sock.on('error', (e) => fail(e))
    sock.on('close', () => fail(new Error('the connection closed before a complete answer')))
    sock.on('connect', async () => {
      sock.write(head)
      for (const c of chunks) {
        // the next piece goes only while no answer has started: what the gateway leaves unread would reset the socket
        await new Promise((r) => setTimeout(r, 20))
        if (done || got.byteLength > 0 || sock.destroyed) return
        sock.write(c)
      }
    })
  })
}

test('an oversized body is 413 request_too_large, answered before any reset (content-length and chunked)', async (t) => {
  const { gw } = await startE2E(t, { server: { maxBodySize: '1kb' } })
  const { host } = new URL(gw.url)
  const body = JSON.stringify({ model: 'sim-model', messages: [{ role: 'user', content: 'x'.repeat(64 * 1024) }] })
  const check = (r: { status: number; headers: Record<string, string>; body: string }, how: string): void => {
    assert.equal(r.status, 413, `${how}: ${r.body}`)
    assert.match(r.headers['content-type'] ?? '', /application\/json/, how)
    const json = JSON.parse(r.body) as { error: { code: string; message: string } }
    assert.equal(json.error.code, 'request_too_large', how)
    assert.match(json.error.message, /1024 bytes/, how)
    assertErrorShape(json)
  }
  // declared too large: refused from the headers alone, before a body byte is sent
  const declared = `POST /v1/chat/completions HTTP/1.1\r\nhost: ${host}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n`
  check(await rawExchange(gw.url, declared, []), 'content-length')
  // chunked: refused as the running total passes the cap, while the client is still sending
  const chunked = `POST /v1/chat/completions HTTP/1.1\r\nhost: ${host}\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n`
  const pieces = Array.from({ length: 8 }, (_, i) => body.slice(i * 400, (i + 1) * 400)).map((p) => `${p.length.toString(16)}\r\n${p}\r\n`)
  check(await rawExchange(gw.url, chunked, pieces), 'chunked')
  // and the server is still there for the next client
  assert.equal((await post(`${gw.url}/v1/chat/completions`, JSON.stringify({ model: 'sim-model', messages }))).status, 200)
})

test('upstream failures map to 502 / 504 with OpenAI error bodies', async (t) => {
  const { gw } = await startE2E(t, {
    providers: [
      { name: 'dead', type: 'openai', baseUrl: 'http://127.0.0.1:9/v1', timeout: '2s' },
    ],
    models: [{ name: 'dead-model', targets: [{ provider: 'dead', model: 'x' }] }],
  })
  const url = `${gw.url}/v1/chat/completions`
  const body = JSON.stringify({ model: 'ext-model', messages })
  for (const [fail, status, code] of [['500', 502, 'upstream_error'], ['429', 502, 'upstream_error'], ['bad-json', 502, 'upstream_error'], ['reset', 502, 'upstream_error']] as const) {
    const r = await post(url, body, { 'x-mock-fail': fail })
    assert.equal(r.status, status, `${fail}: ${r.text}`)
    assert.equal(r.json().error.code, code)
    assertErrorShape(r.json())
    // where the attempts went is still said on a failed proxied call (SPEC §4)
    assert.equal(r.headers.get('x-llmgw-provider'), 'ext', fail)
    assert.match(r.headers.get('x-llmgw-attempts') ?? '', /^[1-9]\d*$/, fail)
    if (fail === '429') assert.equal(r.headers.get('retry-after'), '1', 'the upstream retry-after is kept')
  }
  const refused = await post(url, JSON.stringify({ model: 'dead-model', messages }))
  assert.equal(refused.status, 502)
  assert.equal(refused.headers.get('x-llmgw-provider'), 'dead')
  assertErrorShape(refused.json())
})

test('a hanging upstream is 504 upstream_timeout after the model timeout', async (t) => {
  const { gw } = await startE2E(t, { models: [{ name: 'hasty', targets: [{ provider: 'ext', model: 'm' }], timeout: '300ms' }] })
  const r = await post(`${gw.url}/v1/chat/completions`, JSON.stringify({ model: 'hasty', messages }), { 'x-mock-fail': 'hang' })
  assert.equal(r.status, 504)
  assert.equal(r.json().error.code, 'upstream_timeout')
  assertErrorShape(r.json())
})

test('retries, then fallback to another model; x-llmgw-attempts counts them all', async (t) => {
  const { gw, mock } = await startE2E(t, {
    providers: [{ name: 'broken', type: 'openai', baseUrl: 'http://127.0.0.1:9/v1', timeout: '2s' }],
    models: [{ name: 'flaky', targets: [{ provider: 'broken', model: 'x' }], retry: { attempts: 2, backoff: '1ms' }, fallback: ['ext-model'] }],
  })
  const before = mock.stats().requests
  const r = await post(`${gw.url}/v1/chat/completions`, JSON.stringify({ model: 'flaky', messages }))
  assert.equal(r.status, 200, r.text)
  assert.equal(r.headers.get('x-llmgw-attempts'), '3')
  assert.equal(r.headers.get('x-llmgw-provider'), 'ext')
  assert.equal(mock.stats().requests - before, 1)
})
