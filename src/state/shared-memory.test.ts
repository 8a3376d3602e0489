/** Shared store: two real worker threads hammering one limiter admit exactly the limit (SPEC §7, --workers). */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Worker } from 'node:worker_threads'
import { createSharedState, attachSharedStore } from './shared-memory.js'
import { createRegistry } from './registry.js'

const MODULE = new URL('./shared-memory.js', import.meta.url).href

/** An eval'd worker (CommonJS) loading the ESM store with import(); it takes `tries` units and posts its counts. */
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads')
import(workerData.module).then(({ attachSharedStore }) => {
  const store = attachSharedStore(workerData.handle, { clock: () => 1_700_000_000_000 })
  const rpm = store.rate('rpm:shared', workerData.limit, 60_000)
  const conc = store.gauge('conc:shared', workerData.limit)
  const ip = store.keyedRate('ip', workerData.limit, 60_000)
  let rate = 0, gauge = 0, perIp = 0
  // Start together: both threads wait at a barrier so their loops really overlap.
  const gate = new Int32Array(workerData.gate)
  Atomics.add(gate, 0, 1)
  while (Atomics.load(gate, 0) < 2) Atomics.wait(gate, 0, Atomics.load(gate, 0), 1)
  for (let i = 0; i < workerData.tries; i++) {
    if (rpm.take(1).ok) rate++
    if (conc.acquire()) gauge++
    if (ip.take('198.51.100.7', 1).ok) perIp++
  }
  parentPort.postMessage({ rate, gauge, perIp })
})
`

function runWorker(workerData: object): Promise<{ rate: number; gauge: number; perIp: number }> {
  return new Promise((resolve, reject) => {
    const w = new Worker(WORKER, { eval: true, workerData })
    w.once('message', (m) => { resolve(m); void w.terminate() })
    w.once('error', reject)
  })
}

test('two worker threads taking from one window admit exactly the limit, for rate, gauge and per-IP state', async () => {
  const handle = createSharedState({ pinnedBuckets: 16, ipBuckets: 16 })
  const limit = 100_000
  const workerData = { handle, limit, tries: 150_000, module: MODULE, gate: new SharedArrayBuffer(4) }
  const [a, b] = await Promise.all([runWorker(workerData), runWorker(workerData)])
  assert.equal(a!.rate + b!.rate, limit)
  assert.equal(a!.gauge + b!.gauge, limit)
  assert.equal(a!.perIp + b!.perIp, limit)
  // The main thread sees the same state through its own attachment.
  const store = attachSharedStore(handle, { clock: () => 1_700_000_000_000 })
  assert.equal(store.gauge('conc:shared', limit).held(), limit)
  assert.equal((store.rate('rpm:shared', limit, 60_000).take(1) as { ok: boolean }).ok, false)
})

test('attachSharedStore refuses plain buffers', () => {
  assert.throws(() => attachSharedStore({ pinned: { buckets: 1, meta: new ArrayBuffer(96), cells: new ArrayBuffer(128), locks: new ArrayBuffer(4) }, ip: { buckets: 1, meta: new ArrayBuffer(96), cells: new ArrayBuffer(128), locks: new ArrayBuffer(4) } }), /SharedArrayBuffer/)
})

test('registry keeps an object per identity across reloads and sweeps the ones no longer used', () => {
  const r = createRegistry()
  const a = r.keep('breaker:openai:cfg1', () => ({ n: 1 }))
  assert.equal(r.keep('breaker:openai:cfg1', () => ({ n: 2 })), a)
  r.keep('breaker:old', () => ({}))
  assert.equal(r.sweep(['breaker:openai:cfg1']), 1)
  assert.equal(r.size, 1)
})
