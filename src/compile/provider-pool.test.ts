/** Provider clients survive a reload when their config is unchanged (SPEC §6), and are closed once no Gateway holds them. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { specSchema } from '../spec/schema.js'
import { createFakeProvider, type FakeProvider } from '../testing/fake-provider.js'
import { compileGateway } from './gateway.js'
import { planGateway } from './plan-gateway.js'
import { createProviderPool } from './provider-pool.js'

const spec = (timeoutB: string) =>
  specSchema.parse({
    version: 1,
    providers: [{ name: 'a', type: 'mock' }, { name: 'b', type: 'mock', timeout: timeoutB }],
    models: [{ name: 'm', targets: [{ provider: 'a', model: 'x' }, { provider: 'b', model: 'y' }] }],
  })

test('an unchanged provider keeps its client across a reload; a changed one gets a new client and the old is closed', async () => {
  const pool = createProviderPool()
  const made: FakeProvider[] = []
  const createProvider = (cfg: { name: string }) => {
    const f = createFakeProvider(cfg.name, [{ kind: 'json' }])
    made.push(f)
    return f
  }
  const g1 = compileGateway(planGateway(spec('5s')), { providerPool: pool, createProvider })
  assert.equal(made.length, 2)
  const g2 = compileGateway(planGateway(spec('9s')), { providerPool: pool, createProvider })
  assert.deepEqual(made.map((f) => f.name), ['a', 'b', 'b'], 'only the changed provider was created again')
  await g1.retire()
  assert.equal(made[0]!.closed, false, 'a is still used by the new gateway')
  assert.equal(made[1]!.closed, true, 'the old b is closed once its gateway retired')
  assert.equal(made[2]!.closed, false)
  await g2.retire()
  assert.equal(made[0]!.closed, true)
  assert.equal(pool.size, 0)
})
