/** API-key authentication: bearer and x-api-key, hashed keys, expiry, anonymous callers, garbage headers (SPEC §3 keys, auth). */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import type { Caller } from '../core/pipeline.js'
import type { Exchange } from '../core/types.js'
import { GatewayError } from '../core/errors.js'
import { Secret } from '../core/secret.js'
import { compileAuth } from './auth.js'
import type { AccessConfig } from './access-config.js'

const ex = (headers: Record<string, string>) => ({ headers }) as unknown as Exchange
const sha = (k: string) => `sha256:${createHash('sha256').update(k).digest('hex')}`

const cfg: AccessConfig = {
  auth: { required: true },
  keys: [
    { id: 'plain', key: new Secret('sk-plain-123'), models: ['gpt-*'], metadata: { team: 'a' } },
    { id: 'hashed', hash: sha('sk-hashed-456') },
    { id: 'old', key: new Secret('sk-old'), expires: new Date('2020-01-01T00:00:00Z') },
  ],
}

function refused(fn: () => unknown): GatewayError {
  try { fn() } catch (e) {
    assert.ok(e instanceof GatewayError)
    assert.equal(e.code, 'invalid_api_key')
    assert.equal(e.status, 401)
    return e
  }
  assert.fail('expected 401')
}

test('a plain key via Authorization: Bearer and a hashed key via x-api-key authenticate to their ids', () => {
  const auth = compileAuth(cfg)!
  const a = auth(ex({ authorization: 'Bearer sk-plain-123' })) as Caller
  assert.equal(a.keyId, 'plain')
  assert.deepEqual(a.metadata, { team: 'a' })
  assert.equal(a.allows('gpt-4o'), true)
  assert.equal(a.allows('claude-3'), false)
  const b = auth(ex({ 'x-api-key': 'sk-hashed-456' })) as Caller
  assert.equal(b.keyId, 'hashed')
  assert.equal(b.allows('anything'), true)
  assert.equal((auth(ex({ authorization: 'bearer   sk-hashed-456  ' })) as Caller).keyId, 'hashed')
})

test('unknown, missing and expired keys are 401 invalid_api_key, and the message never contains the key', () => {
  const auth = compileAuth(cfg)!
  assert.ok(!refused(() => auth(ex({ authorization: 'Bearer sk-wrong-999' }))).message.includes('sk-wrong'))
  assert.match(refused(() => auth(ex({}))).message, /missing API key/)
  assert.match(refused(() => auth(ex({ authorization: 'Bearer sk-old' }))).message, /expired/)
})

test('garbage and huge Authorization headers are refused at once', () => {
  const auth = compileAuth(cfg)!
  for (const h of ['Basic dXNlcjpwYXNz', 'Bearer', 'Bearer ', 'sk-plain-123', '\u0000\u0001', 'Bearer ' + 'x'.repeat(1_000_000)]) {
    refused(() => auth(ex({ authorization: h })))
  }
  refused(() => auth(ex({ 'x-api-key': 'y'.repeat(100_000) })))
})

test('auth.required false: no key -> anonymous caller allowed every model; a wrong key is still refused', () => {
  const auth = compileAuth({ ...cfg, auth: { required: false } })!
  const anon = auth(ex({})) as Caller
  assert.equal(anon.keyId, undefined)
  assert.equal(anon.allows('gpt-4o'), true)
  refused(() => auth(ex({ authorization: 'Bearer nope' })))
})

test('no keys, no JWT, not required -> no auth code at all; required without keys refuses everyone', () => {
  assert.equal(compileAuth({ auth: { required: false } }), null)
  const auth = compileAuth({ auth: { required: true } })!
  refused(() => auth(ex({ authorization: 'Bearer x' })))
})

test('keys are checked at compile time: bad hash, no key material, the same key twice', () => {
  assert.throws(() => compileAuth({ keys: [{ id: 'k', hash: 'md5:abc' }] }), /keys\[k\]/)
  assert.throws(() => compileAuth({ keys: [{ id: 'k' }] }), /keys\[k\]/)
  assert.throws(() => compileAuth({ keys: [{ id: 'a', key: new Secret('s') }, { id: 'b', hash: sha('s') }] }), /twice/)
})
