// What each feature costs (issues 4 and 6), in one run on one machine: llmgw bare vs with auth + limits over 1,000
// keys, vs metrics + access log, vs tracing at sampleRatio 1.0 (to a local collector), vs everything on. Reports
// req/s, p50/p99 and CPU µs per request of the gateway process (from /proc), as ratios to the bare gateway.
// Usage (after `npm run build`): node bench/run-features.mjs [--duration 10s] [--connections 50] [--rounds 1] [--dist dist]
import { createHash } from 'node:crypto'
import { createServer } from 'node:http'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { benchArgs, loadDist, machineLine } from './common.mjs'

const a = benchArgs({ options: { rounds: { type: 'string', default: '1' } } })
const { spawnChild, stopAll, runLoad, sampleProc, procDelta, loadScenario, resolveScenario, parseDuration } = await loadDist(a.dist)

const durationMs = parseDuration(a.duration)
const connections = Number(a.connections)
const rounds = Math.max(1, Number(a.rounds))
const KEYS = 1000
const keyOf = (i) => `llmgw-bench-key-${String(i).padStart(4, '0')}`
const auth = { authorization: `Bearer ${keyOf(KEYS - 1)}` } // the last key: a lookup, not a lucky first match
const chat = loadScenario(resolveScenario('chat'))
if (!chat.ok) throw new Error(JSON.stringify(chat.problems))
process.on('SIGINT', () => { void stopAll(0).then(() => process.exit(130)) })

// A collector that accepts OTLP/HTTP and discards it: tracing pays for export, not for a slow collector.
let spans = 0
const collector = createServer((req, res) => { req.on('data', () => undefined); req.on('end', () => { spans++; res.writeHead(200, { 'content-type': 'application/json' }); res.end('{}') }) })
await new Promise((r) => collector.listen(0, '127.0.0.1', r))
const otlp = `http://127.0.0.1:${collector.address().port}/v1/traces`

const dir = mkdtempSync(join(tmpdir(), 'llmgw-features-'))
const rows = []
try {
  const mock = await spawnChild({ name: 'mock', args: ['mock', '--port', '0', '--latency', '0ms', '--tokens-per-second', '0'] })
  const base = {
    version: 1,
    providers: [{ name: 'up', type: 'openai', baseUrl: `${mock.url}/v1`, timeout: '30s', connections: 128 }],
    models: [{ name: 'mock-1', targets: [{ provider: 'up', model: 'mock-1' }] }],
  }
  const keys = Array.from({ length: KEYS }, (_, i) => ({
    id: `k${i}`, hash: `sha256:${createHash('sha256').update(keyOf(i)).digest('hex')}`, limits: { rpm: 100000000, tpm: 1000000000000 },
  }))
  const off = { accessLog: { format: 'off' }, metrics: false }
  const variants = [
    ['bare (no auth, no metrics, no log)', { ...base, observability: off }],
    [`auth + rpm/tpm limits, ${KEYS} keys`, { ...base, keys, auth: { required: true }, observability: off }],
    ['metrics + JSON access log (file)', { ...base, observability: { accessLog: { format: 'json', destination: join(dir, 'access.log') }, metrics: true } }],
    ['tracing, sampleRatio 1.0 (OTLP)', { ...base, observability: { ...off, tracing: { otlpEndpoint: otlp, sampleRatio: 1 } } }],
    ['all of the above', { ...base, keys, auth: { required: true }, observability: { accessLog: { format: 'json', destination: join(dir, 'access2.log') }, metrics: true, tracing: { otlpEndpoint: otlp, sampleRatio: 1 } } }],
  ]
  const fronts = []
  for (const [name, spec] of variants) {
    const file = join(dir, `${fronts.length}.json`)
    writeFileSync(file, JSON.stringify(spec))
    fronts.push({ name, child: await spawnChild({ name: `llmgw-${fronts.length}`, args: ['serve', '-c', file, '--port', '0', '--no-dashboard', '--no-watch'], startTimeoutMs: 30000 }) })
  }
  for (let round = 0; round < rounds; round++) {
    for (const f of fronts) {
      await runLoad({ baseUrl: f.child.url, scenario: chat.scenario, connections, durationMs: 1000, headers: auth })
      const b = sampleProc(f.child.pid)
      const load = await runLoad({ baseUrl: f.child.url, scenario: chat.scenario, connections, durationMs, headers: auth })
      const cpu = procDelta(b, sampleProc(f.child.pid))
      rows.push({ front: f.name, reqPerSec: load.reqPerSec, p50: load.latencyMs.p50, p99: load.latencyMs.p99, non2xx: load.non2xx, errors: load.errors,
        cpuUsPerReq: cpu && load.requests ? (cpu.cpuSeconds * 1e6) / load.requests : null })
      process.stderr.write(`${f.name} · ${load.reqPerSec} req/s · non-2xx ${load.non2xx} · ${rows.at(-1).cpuUsPerReq?.toFixed(1)} CPU µs/req\n`)
    }
  }
} finally {
  await stopAll()
  collector.close()
  rmSync(dir, { recursive: true, force: true })
}

const med = (xs) => { const v = xs.filter((x) => x !== null).sort((x, y) => x - y); return v.length ? v[Math.floor(v.length / 2)] : null }
const f = (x, d = 0) => (x === null || x === undefined ? 'n/a' : x.toFixed(d))
const names = [...new Set(rows.map((r) => r.front))]
const m = (name, k) => med(rows.filter((r) => r.front === name).map((r) => r[k]))
const bareCpu = m(names[0], 'cpuUsPerReq'), bareRps = m(names[0], 'reqPerSec')
let out = `${machineLine()}; non-streaming chat, ${connections} connections, ${durationMs / 1000}s per run, ${rounds} round(s), medians; ${spans} OTLP batches received\n\n`
out += '| gateway | req per CPU-s vs bare | CPU µs/req | req/s | req/s vs bare | p50 ms | p99 ms | non-2xx |\n|---|---|---|---|---|---|---|---|\n'
for (const n of names) {
  const cpu = m(n, 'cpuUsPerReq'), rps = m(n, 'reqPerSec')
  out += `| ${n} | ${cpu && bareCpu ? `${f(bareCpu / cpu, 2)}×` : 'n/a'} | ${f(cpu, 1)} | ${f(rps)} | ${rps && bareRps ? `${f(rps / bareRps, 2)}×` : 'n/a'} | ${f(m(n, 'p50'), 1)} | ${f(m(n, 'p99'), 1)} | ${f(m(n, 'non2xx'))} |\n`
}
process.stdout.write(out)
