/** The memory store is sized from the spec: a large key set must not fill the limit-state table (SPEC §7). */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { specSchema } from '../spec/schema.js'
import { createMemoryStore, DEFAULT_PINNED_BUCKETS } from '../state/memory.js'
import { capacityFor } from './state-store.js'

const HASH = `sha256:${'a'.repeat(64)}`
const specWith = (keys: number) =>
  specSchema.parse({
    version: 1,
    providers: [{ name: 'p', type: 'mock' }],
    models: [{ name: 'm', targets: [{ provider: 'p', model: 'm' }] }],
    keys: Array.from({ length: keys }, (_, i) => ({ id: `k${i}`, hash: HASH, limits: { rpm: 60, tpm: 1000, concurrency: 2 } })),
  })

test('a small spec keeps the default table; a large key set gets room for every limit, with headroom', () => {
  assert.deepEqual(capacityFor(specWith(10)), { pinnedBuckets: DEFAULT_PINNED_BUCKETS })
  const big = capacityFor(specWith(30_000))
  assert.equal(big.pinnedBuckets, 65_536) // 90,000 identities x 4 / 8 ways -> next power of two
})

test('30,000 keys with three limits each all find their state in a store sized for the spec', () => {
  const spec = specWith(30_000)
  const claim = (store: ReturnType<typeof createMemoryStore>) => {
    for (const k of spec.keys) {
      store.rate(`key:${k.id}:rpm:60`, 60, 60_000)
      store.rate(`key:${k.id}:tpm:1000`, 1000, 60_000)
      store.gauge(`key:${k.id}:concurrency:2`, 2)
    }
  }
  assert.doesNotThrow(() => claim(createMemoryStore(capacityFor(spec))))
  // the fixed default table could not hold them (what this sizing fixes)
  assert.throws(() => claim(createMemoryStore()), /limit state table is full/)
})
