/** JWT bearer tokens: HS256, RS256 and ES256 PEM keys, JWKS with rotation, every bad token -> 401 (SPEC §3 auth.jwt). */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose'
import type { Caller } from '../core/pipeline.js'
import type { Exchange } from '../core/types.js'
import { GatewayError } from '../core/errors.js'
import { Secret } from '../core/secret.js'
import { compileAuth } from './auth.js'
import { createJwtVerifier, looksLikeJwt } from './jwt.js'
import type { JwtConfig } from './access-config.js'

const ex = (token: string) => ({ headers: { authorization: `Bearer ${token}` } }) as unknown as Exchange
const SECRET = 'a-test-secret-of-at-least-32-bytes!!'
const hsKey = new TextEncoder().encode(SECRET)

function sign(claims: Record<string, unknown>, alg = 'HS256') {
  return new SignJWT(claims).setProtectedHeader({ alg }).setIssuer('https://id.test').setAudience('llmgw').setIssuedAt()
}

async function rejects(p: unknown, reason?: RegExp): Promise<void> {
  await assert.rejects(Promise.resolve(p), (e) => {
    assert.ok(e instanceof GatewayError)
    assert.equal(e.code, 'invalid_api_key')
    if (reason) assert.match(e.message, reason)
    return true
  })
}

function authWith(jwt: JwtConfig, opts = {}) {
  const cfg = { auth: { required: true, jwt }, keys: [{ id: 'team-a', key: new Secret('sk-a'), models: ['gpt-*'] }] }
  const verifier = createJwtVerifier(jwt, opts)
  return { auth: compileAuth(cfg, { jwt: verifier })!, verifier }
}

test('HS256: a valid token maps through keyClaim to the key entry and its scopes', async () => {
  const { auth } = authWith({ secret: new Secret(SECRET), issuer: 'https://id.test', audience: 'llmgw', keyClaim: 'sub' })
  const token = await sign({ sub: 'team-a' }).setExpirationTime('5m').sign(hsKey)
  const caller = (await auth(ex(token))) as Caller
  assert.equal(caller.keyId, 'team-a')
  assert.equal(caller.allows('claude-x'), false)
  await rejects(auth(ex(await sign({ sub: 'team-z' }).sign(hsKey))), /names no configured key/)
})

test('bad tokens are 401: alg none, wrong alg, bad signature, expired, not yet valid, wrong iss/aud, huge', async () => {
  const { auth } = authWith({ secret: new Secret(SECRET), issuer: 'https://id.test', audience: 'llmgw' })
  const good = await sign({ sub: 'u' }).sign(hsKey)
  const [h, p] = good.split('.')
  const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${p}.x`
  await rejects(auth(ex(none)))
  const rsa = await generateKeyPair('RS256')
  await rejects(auth(ex(await sign({ sub: 'u' }, 'RS256').sign(rsa.privateKey))), /algorithm not allowed/)
  await rejects(auth(ex(`${h}.${p}.${'A'.repeat(43)}`)), /bad signature/)
  await rejects(auth(ex(await sign({ sub: 'u' }).setExpirationTime(Math.floor(Date.now() / 1000) - 120).sign(hsKey))), /expired/)
  await rejects(auth(ex(await sign({ sub: 'u' }).setNotBefore(Math.floor(Date.now() / 1000) + 600).sign(hsKey))), /claim/)
  await rejects(auth(ex(await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setIssuer('evil').setAudience('llmgw').sign(hsKey))), /claim/)
  await rejects(auth(ex(await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setIssuer('https://id.test').setAudience('x').sign(hsKey))), /claim/)
  assert.throws(() => auth(ex(`${h}.${'a'.repeat(20_000)}.${'b'.repeat(43)}`)), GatewayError)
  // Within the clock skew an expired token still passes.
  assert.ok(await auth(ex(await sign({ sub: 'u' }).setExpirationTime(Math.floor(Date.now() / 1000) - 5).sign(hsKey))))
})

test('PEM public keys: RS256 and ES256 tokens verify; a token signed by another key does not', async () => {
  for (const alg of ['RS256', 'ES256'] as const) {
    const pair = await generateKeyPair(alg)
    const { auth } = authWith({ publicKey: await exportSPKI(pair.publicKey), issuer: 'https://id.test', audience: 'llmgw' })
    assert.equal(((await auth(ex(await sign({ sub: 'x' }, alg).sign(pair.privateKey)))) as Caller).keyId, undefined)
    const other = await generateKeyPair(alg)
    await rejects(auth(ex(await sign({ sub: 'x' }, alg).sign(other.privateKey))), /bad signature/)
  }
  assert.throws(() => createJwtVerifier({ publicKey: 'not a pem' }), /PEM/)
})

test('looksLikeJwt recognises three base64url parts only', () => {
  assert.equal(looksLikeJwt('eyJhbGciOi.eyJzdWIiOi.c2ln'), true)
  assert.equal(looksLikeJwt('sk-abc.def'), false)
  assert.equal(looksLikeJwt('a.b.c d'), false)
})

async function jwksServer(t: import('node:test').TestContext) {
  const state = { keys: [] as JWK[], hits: 0, hang: false }
  const server = createServer((req, res) => {
    state.hits++
    if (state.hang) return // never answers: a JWKS outage
    res.setHeader('content-type', 'application/json')
    res.end(JSON.stringify({ keys: state.keys }))
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  t.after(() => { server.closeAllConnections(); server.close() })
  return { state, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json` }
}

async function signingKey(kid: string): Promise<{ jwk: JWK; privateKey: CryptoKey }> {
  const pair = await generateKeyPair('RS256')
  return { jwk: { ...(await exportJWK(pair.publicKey)), kid, alg: 'RS256', use: 'sig' }, privateKey: pair.privateKey }
}

test('JWKS: keys fetched from a local server, rotation to a new kid triggers one refresh', async (t) => {
  const { state, url } = await jwksServer(t)
  const k1 = await signingKey('k1')
  state.keys = [k1.jwk]
  const { auth, verifier } = authWith({ jwksUrl: url, keyClaim: 'sub' }, { refreshCooldownMs: 0 })
  t.after(() => verifier.close())
  const tok = (k: { privateKey: CryptoKey }, kid: string) =>
    new SignJWT({ sub: 'team-a' }).setProtectedHeader({ alg: 'RS256', kid }).setExpirationTime('5m').sign(k.privateKey)
  assert.equal(((await auth(ex(await tok(k1, 'k1')))) as Caller).keyId, 'team-a')
  const k2 = await signingKey('k2')
  state.keys = [k1.jwk, k2.jwk]
  const before = state.hits
  assert.equal(((await auth(ex(await tok(k2, 'k2')))) as Caller).keyId, 'team-a')
  assert.equal(state.hits, before + 1)
  await rejects(auth(ex(await tok(await signingKey('k3'), 'k3'))), /no matching key/)
})

test('a JWKS outage refuses JWTs after the fetch timeout and never delays API-key requests', async (t) => {
  const { state, url } = await jwksServer(t)
  state.hang = true
  const { auth, verifier } = authWith({ jwksUrl: url }, { fetchTimeoutMs: 200 })
  t.after(() => verifier.close())
  const caller = auth(ex('sk-a'))
  assert.ok(!(caller instanceof Promise), 'an API key is answered synchronously, whatever the JWKS does')
  assert.equal((caller as Caller).keyId, 'team-a')
  const k = await signingKey('k1')
  const started = Date.now()
  await rejects(auth(ex(await new SignJWT({}).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).sign(k.privateKey))), /unavailable/)
  assert.ok(Date.now() - started < 5_000)
})
