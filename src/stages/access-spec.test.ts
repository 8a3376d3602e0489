/** Spec -> stage configs: what the zod schema produces compiles into working access control and provider guards. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { specSchema } from '../spec/schema.js'
import type { Caller } from '../core/pipeline.js'
import type { Exchange } from '../core/types.js'
import { createMemoryStore } from '../state/memory.js'
import { compileAccess } from './access.js'
import { accessConfigOf, guardConfigOf } from './access-spec.js'

const parse = (extra: object) =>
  specSchema.parse({
    version: 1,
    providers: [{ name: 'sim', type: 'mock', maxInFlight: 4, queue: { size: 8, timeout: '1s' }, breaker: { window: '5s', cooldown: '10s' } }],
    models: [{ name: 'mock-1', targets: [{ provider: 'sim', model: 'mock-1' }] }],
    ...extra,
  })

test('keys, auth and limits from a parsed spec compile and authenticate', () => {
  const spec = parse({
    keys: [
      { id: 'a', key: 'sk-spec-a', models: ['mock-*'], limits: { rpm: 2 }, expires: '2099-01-01T00:00:00Z', metadata: { team: 'a' } },
      { id: 'b', hash: `sha256:${createHash('sha256').update('sk-spec-b').digest('hex')}`, budget: { usd: 5 } },
    ],
    auth: { jwt: { secret: 'a-very-long-shared-secret-for-tests', issuer: 'me' } },
    limits: { perIp: { rpm: 100 } },
  })
  const cfg = accessConfigOf(spec)
  assert.equal(cfg.auth?.required, true)
  assert.equal(cfg.auth?.jwt?.clockToleranceMs, 30_000)
  const access = compileAccess(cfg, { store: createMemoryStore() })
  const a = access.authenticate!({ headers: { authorization: 'Bearer sk-spec-a' } } as unknown as Exchange) as Caller
  assert.equal(a.keyId, 'a')
  assert.equal(a.allows('mock-1'), true)
  assert.equal(a.allows('gpt-4o'), false)
  assert.equal((access.authenticate!({ headers: { 'x-api-key': 'sk-spec-b' } } as unknown as Exchange) as Caller).keyId, 'b')
  assert.ok(access.admit)
  access.close()
})

test('a provider entry maps to maxInFlight, queue and breaker in ms', () => {
  const p = parse({}).providers[0]!
  assert.deepEqual(guardConfigOf(p), {
    maxInFlight: 4,
    queue: { size: 8, timeoutMs: 1000 },
    breaker: { failureRate: 0.5, minRequests: 20, windowMs: 5000, cooldownMs: 10_000, halfOpenProbes: 3 },
  })
})

test('publicKeyFile that cannot be read is a compile-time error naming the field', () => {
  const spec = parse({ auth: { jwt: { publicKeyFile: 'no-such-key.pem' } } })
  assert.throws(() => accessConfigOf(spec, { baseDir: '/nonexistent' }), /publicKeyFile/)
})
