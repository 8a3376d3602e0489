// Limiter cost per request (issue 4 "Measure"): auth + rpm/tpm admission + settle with 1,000 keys, memory vs shared
// (--workers) store, contended across 2 threads, and an owner-thread postMessage round trip for comparison.
// Usage: npx tsc && node bench/limits/run.mjs [distDir=dist]   (bounded: a few seconds; loopback only, no network)
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads'
import { pathToFileURL } from 'node:url'
import { resolve } from 'node:path'

const dist = resolve(isMainThread ? process.argv[2] ?? 'dist' : workerData.dist)
const imp = (p) => import(pathToFileURL(resolve(dist, p)).href)
const { Secret } = await imp('core/secret.js')
const { compileAccess } = await imp('stages/access.js')
const { createMemoryStore } = await imp('state/memory.js')
const { createSharedState, attachSharedStore } = await imp('state/shared-memory.js')

const KEYS = 1000
const N = 200_000
const cfg = {
  auth: { required: true },
  keys: Array.from({ length: KEYS }, (_, i) => ({ id: `k${i}`, key: new Secret(`llmgw-bench-key-${i}`), limits: { rpm: 1e9, tpm: 1e12 } })),
  limits: { perIp: { rpm: 1e9 } },
}
const exchanges = Array.from({ length: KEYS }, (_, i) => ({ ip: `10.0.${i >> 8}.${i & 255}`, headers: { authorization: `Bearer llmgw-bench-key-${i}` } }))
const END = { status: 200, usage: { prompt_tokens: 90, completion_tokens: 30, total_tokens: 120 }, costUsd: 0, errorCode: undefined }

/** One request's worth of work: a fresh context (what compile/ builds anyway), then auth, admit, settle. */
function request(access, i) {
  const ex = exchanges[i % KEYS]
  let end
  const cx = { ex, model: 'm', caller: undefined, headers: [], reservedTokens: () => 100, reservedCostUsd: () => 0, onEnd: (f) => { end = f } }
  if (access) {
    cx.caller = access.authenticate(ex)
    if (access.admit) access.admit(cx)
    if (end) end(END)
  }
  return cx
}

/**
 * CPU ns per call (process.cpuUsage: on a shared, loaded machine wall time mostly measures waiting for a core),
 * median of 5 runs. In the 2-thread case CPU is process-wide, so that row reports wall time per thread instead.
 */
function nsPerOp(fn, n = N, wall = false) {
  const runs = []
  for (let r = 0; r < 5; r++) {
    const c0 = process.cpuUsage()
    const t0 = process.hrtime.bigint()
    for (let i = 0; i < n; i++) fn(i)
    const c = process.cpuUsage(c0)
    runs.push(wall ? Number(process.hrtime.bigint() - t0) / n : ((c.user + c.system) * 1000) / n)
  }
  return runs.sort((a, b) => a - b)[2]
}

if (isMainThread) {
  const memory = compileAccess(cfg, { store: createMemoryStore() })
  const handle = createSharedState()
  const shared = compileAccess(cfg, { store: attachSharedStore(handle) })
  const authOnly = compileAccess({ ...cfg, keys: cfg.keys.map((k) => ({ id: k.id, key: k.key })), limits: {} }, { store: createMemoryStore() })
  const base = nsPerOp((i) => request(null, i))
  const auth = nsPerOp((i) => request(authOnly, i))
  const mem = nsPerOp((i) => request(memory, i))
  const shr = nsPerOp((i) => request(shared, i))
  // Two threads on the same shared windows (the --workers 2 case), each timing its own loop.
  const gate = new SharedArrayBuffer(4)
  const contended = await Promise.all([0, 1].map(() => new Promise((done, fail) => {
    const w = new Worker(new URL(import.meta.url), { workerData: { dist, handle, gate, mode: 'contend' } })
    w.once('message', done).once('error', fail)
  })))
  // The alternative design: an owner thread holding the state, one postMessage round trip per admission.
  const rtt = await new Promise((done, fail) => {
    const w = new Worker(new URL(import.meta.url), { workerData: { dist, mode: 'echo' } })
    const n = 20_000
    let left = n
    const t0 = process.hrtime.bigint()
    w.on('message', () => { if (--left === 0) { done(Number(process.hrtime.bigint() - t0) / n); void w.terminate() } else w.postMessage(left) })
    w.once('error', fail)
    w.postMessage(left)
  })
  const rows = [
    ['baseline (context only, no auth, no limits)', base],
    ['auth only (sha256 + Map lookup, 1,000 keys)', auth],
    ['auth + per-IP rpm + key rpm + key tpm + settle, memory store', mem],
    ['same, shared store (SharedArrayBuffer + Atomics), 1 thread', shr],
    ['same, shared store, 2 threads contending (wall ns, each)', (contended[0] + contended[1]) / 2],
    ['owner-thread design: one postMessage round trip (wall ns)', rtt],
  ]
  console.log(`node ${process.version}, ${KEYS} keys, median of 5 x ${N} requests, load average ${(await import('node:os')).loadavg()[0].toFixed(1)}\n`)
  console.log('| path | CPU ns per request | over baseline |\n|---|---:|---:|')
  for (const [name, ns] of rows) console.log(`| ${name} | ${ns.toFixed(0)} | ${(ns - base).toFixed(0)} |`)
} else if (workerData.mode === 'echo') {
  parentPort.on('message', (m) => parentPort.postMessage(m))
} else {
  const access = compileAccess(cfg, { store: attachSharedStore(workerData.handle) })
  const gate = new Int32Array(workerData.gate)
  Atomics.add(gate, 0, 1)
  while (Atomics.load(gate, 0) < 2) Atomics.wait(gate, 0, Atomics.load(gate, 0), 1)
  parentPort.postMessage(nsPerOp((i) => request(access, i), N, true))
}
