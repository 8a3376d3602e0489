/** A store that fails mid-admission (Redis down: 503 upstream_unavailable) releases what earlier steps hold (issue 13). */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { CallContext, Caller } from '../core/pipeline.js'
import type { Exchange } from '../core/types.js'
import { GatewayError } from '../core/errors.js'
import { Secret } from '../core/secret.js'
import { createMemoryStore } from '../state/memory.js'
import type { Store } from '../state/types.js'
import { compileAccess } from './access.js'

test('a budget reserve that rejects releases the global concurrency slot taken before it', async () => {
  const memory = createMemoryStore()
  let failing = true
  const unavailable = new GatewayError('upstream_unavailable', 'store down')
  // Async like the Redis store: every operation is a promise; the budget fails while `failing`.
  const store: Store = {
    ...memory,
    kind: 'redis',
    gauge: (id, limit) => {
      const g = memory.gauge(id, limit)
      return { limit, acquire: async () => g.acquire(), release: async () => g.release(), held: () => g.held() }
    },
    budget: (id, usd, per) => {
      const b = memory.budget(id, usd, per)
      return { ...b, limitUsd: usd, period: per, reserve: async (n, now) => { if (failing) throw unavailable; return b.reserve(n, now) } }
    },
  }
  const access = compileAccess(
    { keys: [{ id: 'k', key: new Secret('sk-u'), budget: { usd: 10, per: 'day' } }], limits: { global: { concurrency: 1 } } } as never,
    { store },
  )
  const ex = { ip: '127.0.0.1', headers: { authorization: 'Bearer sk-u' } } as unknown as Exchange
  const cx = () => ({
    ex, model: 'm', caller: access.authenticate!(ex) as Caller, headers: [], reservedTokens: () => 10, reservedCostUsd: () => 0.01, onEnd: () => {},
  }) as unknown as CallContext
  for (let i = 0; i < 3; i++) await assert.rejects(Promise.resolve(access.admit!(cx())), (e) => e === unavailable)
  assert.equal(memory.gauge('global:concurrency:1', 1).held(), 0, 'each failed admission gave its slot back')
  failing = false
  await access.admit!(cx())
  assert.equal(memory.gauge('global:concurrency:1', 1).held(), 1)
})
