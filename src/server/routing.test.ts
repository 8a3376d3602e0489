/** server/: dispatch to main/admin routers, copied request fields, x-request-id, handler failures (SPEC §4). */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { request } from 'undici'
import { GatewayError } from '../core/errors.js'
import type { Route } from '../core/types.js'
import { createFakeGateway, echoRoute, startFakeServer, textRoute } from '../testing/fake-gateway.js'

const failing = (handle: Route['handle']): Route => ({ hasBody: false, handle })

function gateway(admin = false) {
  return createFakeGateway({
    main: {
      'GET /hello': textRoute('hello'),
      'POST /echo': echoRoute,
      'GET /throw': failing(() => {
        throw new Error('boom')
      }),
      'GET /reject': failing(async () => {
        await new Promise((r) => setTimeout(r, 5))
        throw new Error('late boom')
      }),
      'GET /limited': failing(() => {
        throw new GatewayError('rate_limit_exceeded', 'slow down', { headers: [['retry-after', '7']] })
      }),
      'GET /forget': failing(() => {}),
      'GET /forget-async': failing(async () => {}),
      'GET /stream-then-throw': failing(async (_ex, sink) => {
        sink.start(200, [['content-type', 'text/event-stream']])
        sink.write('data: 1\n\n')
        await new Promise((r) => setTimeout(r, 5))
        throw new Error('mid-stream')
      }),
    },
    admin: admin ? { 'GET /admin/ping': textRoute('pong') } : undefined,
  })
}

test('routes to main, 404 for unknown paths, 405 for a known path with another method', async (t) => {
  const { url } = await startFakeServer(t, gateway())
  const ok = await request(`${url}/hello`)
  assert.equal(ok.statusCode, 200)
  assert.equal(await ok.body.text(), 'hello')
  const nf = await request(`${url}/nope`)
  assert.equal(nf.statusCode, 404)
  assert.equal(((await nf.body.json()) as { error: { code: string } }).error.code, 'not_found')
  const na = await request(`${url}/hello`, { method: 'DELETE' })
  assert.equal(na.statusCode, 405)
  await na.body.dump()
})

test('admin router on its own port; main does not serve admin paths and admin does not serve main ones', async (t) => {
  const { url, handle } = await startFakeServer(t, gateway(true), { adminPort: 0 })
  assert.ok(handle.adminPort !== undefined && handle.adminPort > 0 && handle.adminPort !== handle.port)
  const admin = `http://127.0.0.1:${handle.adminPort}`
  const pong = await request(`${admin}/admin/ping`)
  assert.equal(await pong.body.text(), 'pong')
  const onMain = await request(`${url}/admin/ping`)
  assert.equal(onMain.statusCode, 404)
  await onMain.body.dump()
  const mainOnAdmin = await request(`${admin}/hello`)
  assert.equal(mainOnAdmin.statusCode, 404)
  await mainOnAdmin.body.dump()
})

test('copies method, path, query, picked headers, ip and body; echoes x-request-id or makes one', async (t) => {
  const { url } = await startFakeServer(t, gateway())
  const res = await request(`${url}/echo?a=1&b=2`, {
    method: 'POST',
    headers: { authorization: 'Bearer x', 'x-other': 'not copied', 'x-request-id': 'client-id-1', 'x-forwarded-for': '10.0.0.1' },
    body: 'hello body',
  })
  assert.equal(res.headers['x-request-id'], 'client-id-1')
  const got = (await res.body.json()) as Record<string, unknown>
  assert.equal(got.method, 'POST')
  assert.equal(got.path, '/echo')
  assert.equal(got.query, 'a=1&b=2')
  assert.equal(got.ip, '127.0.0.1')
  assert.equal(got.bodyBytes, 10)
  assert.deepEqual(got.headers, { authorization: 'Bearer x', 'x-forwarded-for': '10.0.0.1', 'x-request-id': 'client-id-1' })
  const a = await request(`${url}/hello`)
  const b = await request(`${url}/hello`)
  await Promise.all([a.body.dump(), b.body.dump()])
  const idA = a.headers['x-request-id']
  assert.equal(typeof idA, 'string')
  assert.notEqual(idA, b.headers['x-request-id'])
  const long = await request(`${url}/hello`, { headers: { 'x-request-id': 'x'.repeat(500) } })
  await long.body.dump()
  assert.notEqual(long.headers['x-request-id'], 'x'.repeat(500))
})

test('a handler that throws or rejects before responding -> 500 internal_error JSON, reported', async (t) => {
  const { url, errors } = await startFakeServer(t, gateway())
  for (const path of ['/throw', '/reject']) {
    const res = await request(`${url}${path}`)
    assert.equal(res.statusCode, 500)
    assert.equal(res.headers['content-type'], 'application/json')
    const body = (await res.body.json()) as { error: { code: string; message: string } }
    assert.equal(body.error.code, 'internal_error')
    assert.equal(body.error.message, 'internal error') // the cause stays in the log
  }
  assert.deepEqual(
    errors.map((e) => (e as Error).message),
    ['boom', 'late boom'],
  )
})

test('a thrown GatewayError keeps its status, code and headers', async (t) => {
  const { url, errors } = await startFakeServer(t, gateway())
  const res = await request(`${url}/limited`)
  assert.equal(res.statusCode, 429)
  assert.equal(res.headers['retry-after'], '7')
  assert.equal(((await res.body.json()) as { error: { code: string } }).error.code, 'rate_limit_exceeded')
  assert.equal(errors.length, 0)
})

test('a handler that returns without responding is a bug: 500, reported, never a hung client', async (t) => {
  const { url, errors, handle } = await startFakeServer(t, gateway())
  for (const path of ['/forget', '/forget-async']) {
    const res = await request(`${url}${path}`, { headersTimeout: 2000 })
    assert.equal(res.statusCode, 500)
    await res.body.dump()
  }
  assert.equal(errors.length, 2)
  assert.match((errors[0] as Error).message, /returned without responding/)
  assert.equal(handle.inflight, 0)
})

test('a handler failing after its stream started cuts the connection instead of ending it cleanly', async (t) => {
  const { url, errors, handle } = await startFakeServer(t, gateway())
  const res = await request(`${url}/stream-then-throw`, { bodyTimeout: 2000 })
  assert.equal(res.statusCode, 200)
  await assert.rejects(res.body.text())
  assert.equal(errors.length, 1)
  assert.equal(handle.inflight, 0)
})
