// Issue 14's GC check: how much of what a front allocates survives young-generation GCs under a stream load.
// A finished request kept alive by dead objects in old space (an object-literal getter's hidden class, a churned Set's
// table: see README.md "Runs of 2026-12-07, later") shows up here as a high survived/promoted share long before it
// shows in CPU figures. Runs llmgw (auth, limits, metrics, access log, as run-baselines.mjs) and the uWS + undici
// pass-through, each under --trace-gc-nvp, against `llmgw mock`, one at a time on loopback.
// Usage (after `npm run build`): node bench/gc-survival.mjs [--duration 6s] [--connections 50] [--scenario chat-stream]
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { BENCH_KEY, benchArgs, benchDir, benchGatewaySpec, loadDist, machineLine } from './common.mjs'

const a = benchArgs({ options: { scenario: { type: 'string', default: 'chat-stream' } } })
const { spawnChild, stopAll, runLoad, loadScenario, resolveScenario, parseDuration } = await loadDist(a.dist)
const durationMs = parseDuration(a.duration)
const loaded = loadScenario(resolveScenario(a.scenario))
if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems))
const scenario = loaded.scenario

/** A front under --trace-gc-nvp: its URL once listening, and the scavenges it reported (allocated, survived, promoted, pause). */
function traced(args) {
  const proc = spawn(process.execPath, ['--trace-gc-nvp', ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  const scavenges = []
  let counting = false
  const url = new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${args.join(' ')}: no listening line within 30 s`)), 30_000)
    for (const stream of [proc.stdout, proc.stderr]) createInterface({ input: stream }).on('line', (l) => {
      const u = /http:\/\/127\.0\.0\.1:\d+/.exec(l)
      if (u && /listening/.test(l)) { clearTimeout(t); resolve(u[0]) }
      if (!counting || !/ gc=s /.test(l)) return
      const f = Object.fromEntries([...l.matchAll(/(\w+)=([\d.]+)/g)].map((m) => [m[1], Number(m[2])]))
      scavenges.push(f)
    })
    proc.on('exit', (code) => reject(new Error(`${args.join(' ')} exited (${code}) before listening`)))
  })
  return { proc, url, scavenges, count: (on) => { counting = on } }
}

// the traced fronts are plain children (no exit-with-parent link): Ctrl-C and SIGTERM stop them, and the mock, first
let current
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => { current?.proc.kill('SIGTERM'); void stopAll(0).then(() => process.exit(130)) })
process.on('exit', () => current?.proc.kill('SIGTERM'))

const dir = mkdtempSync(join(tmpdir(), 'llmgw-gc-'))
const rows = []
try {
  const mock = await spawnChild({ name: 'mock', args: ['mock', '--port', '0', '--latency', '0ms', '--tokens-per-second', '0'] })
  const spec = join(dir, 'llmgw.json')
  writeFileSync(spec, JSON.stringify(benchGatewaySpec(mock.url, join(dir, 'access.log'))))
  const fronts = [
    ['uWS + undici', [join(benchDir, 'proxies', 'uws-undici.mjs'), '--port', '0', '--upstream', mock.url]],
    ['llmgw (auth, limits, metrics, access log)', [join(benchDir, '..', 'bin', 'llmgw.js'), 'serve', '-c', spec, '--port', '0', '--no-dashboard', '--no-watch']],
  ]
  for (const [name, args] of fronts) {
    const f = (current = traced(args))
    try {
      const baseUrl = await f.url
      const headers = { authorization: `Bearer ${BENCH_KEY}` }
      await runLoad({ baseUrl, scenario, connections: Number(a.connections), durationMs: 1000, headers }) // warm-up
      f.count(true)
      const load = await runLoad({ baseUrl, scenario, connections: Number(a.connections), durationMs, headers })
      f.count(false)
      const sum = (k) => f.scavenges.reduce((s, x) => s + (x[k] ?? 0), 0)
      const alloc = sum('allocated')
      rows.push({ name, requests: load.requests, scavenges: f.scavenges.length, survived: alloc ? sum('new_space_survived') / alloc : null, promoted: alloc ? sum('promoted') / alloc : null, pause: f.scavenges.length ? sum('pause') / f.scavenges.length : null })
    } finally {
      f.proc.kill('SIGTERM')
    }
  }
} finally {
  await stopAll()
  rmSync(dir, { recursive: true, force: true })
}
const pct = (x) => (x === null ? 'n/a' : `${(x * 100).toFixed(1)}%`)
process.stdout.write(`${machineLine()}; ${scenario.name}, ${a.connections} connections, ${durationMs / 1000}s\n\n| front | requests | scavenges | survived a scavenge | promoted | mean scavenge ms |\n|---|---|---|---|---|---|\n`)
for (const r of rows) process.stdout.write(`| ${r.name} | ${r.requests} | ${r.scavenges} | ${pct(r.survived)} | ${pct(r.promoted)} | ${r.pause === null ? 'n/a' : r.pause.toFixed(2)} |\n`)
