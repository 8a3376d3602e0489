// gRPC and GraphQL upstreams vs the HTTP upstream (issue 12): the same mock answer (20 tokens, no latency) reached by
// llmgw over OpenAI HTTP, over gRPC (tgis and kserve-v2 presets) and over GraphQL; req/s and the gateway process's
// CPU µs per request (from /proc), as ratios to the HTTP upstream. All on 127.0.0.1, bounded by --duration.
// Usage (after `npm run build`): node bench/run-protocols.mjs [--duration 10s] [--connections 50] [--rounds 1] [--dist dist]
import { createServer } from 'node:net'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { benchArgs, loadDist, machineLine } from './common.mjs'

const a = benchArgs({ options: { rounds: { type: 'string', default: '1' } } })
const { spawnChild, stopAll, runLoad, sampleProc, procDelta, loadScenario, resolveScenario, parseDuration } = await loadDist(a.dist)

const durationMs = parseDuration(a.duration)
const connections = Number(a.connections)
const rounds = Math.max(1, Number(a.rounds))
const chat = loadScenario(resolveScenario('chat'))
if (!chat.ok) throw new Error(JSON.stringify(chat.problems))
process.on('SIGINT', () => { void stopAll(0).then(() => process.exit(130)) })

/** A port free right now on 127.0.0.1 (the mock's extra listeners take fixed ports). */
const freePort = () => new Promise((resolve, reject) => {
  const s = createServer().once('error', reject).listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)) })
})

const dir = mkdtempSync(join(tmpdir(), 'llmgw-protocols-'))
const rows = []
try {
  const [grpcPort, graphqlPort] = [await freePort(), await freePort()]
  const mock = await spawnChild({ name: 'mock', args: ['mock', '--port', '0', '--latency', '0ms', '--tokens-per-second', '0', '--grpc-port', String(grpcPort), '--graphql-port', String(graphqlPort)] })
  const graphql = {
    document: 'query ($p: String!, $max: Int) { complete(prompt: $p, maxTokens: $max) { text finishReason usage { promptTokens completionTokens } } }',
    variables: { p: 'lastMessage', max: 'max_tokens' },
    response: { text: 'complete.text', finishReason: 'complete.finishReason', promptTokens: 'complete.usage.promptTokens', completionTokens: 'complete.usage.completionTokens' },
  }
  const upstreams = [
    ['HTTP (openai wire)', { type: 'openai', baseUrl: `${mock.url}/v1` }],
    ['gRPC tgis', { type: 'grpc', baseUrl: `http://127.0.0.1:${grpcPort}`, grpc: { preset: 'tgis' } }],
    ['gRPC kserve-v2', { type: 'grpc', baseUrl: `http://127.0.0.1:${grpcPort}`, grpc: { preset: 'kserve-v2' } }],
    ['GraphQL query', { type: 'graphql', baseUrl: `http://127.0.0.1:${graphqlPort}/graphql`, graphql }],
  ]
  const fronts = []
  for (const [name, p] of upstreams) {
    const spec = { version: 1, providers: [{ name: 'up', timeout: '30s', ...p }], models: [{ name: 'mock-1', targets: [{ provider: 'up', model: 'mock-1' }] }], observability: { accessLog: { format: 'off' }, metrics: false } }
    const file = join(dir, `${fronts.length}.json`)
    writeFileSync(file, JSON.stringify(spec))
    fronts.push({ name, child: await spawnChild({ name: `llmgw-${fronts.length}`, args: ['serve', '-c', file, '--port', '0', '--no-dashboard', '--no-watch'], startTimeoutMs: 30000 }) })
  }
  for (let round = 0; round < rounds; round++) {
    for (const f of fronts) {
      await runLoad({ baseUrl: f.child.url, scenario: chat.scenario, connections, durationMs: 1000 })
      const b = sampleProc(f.child.pid)
      const load = await runLoad({ baseUrl: f.child.url, scenario: chat.scenario, connections, durationMs })
      const cpu = procDelta(b, sampleProc(f.child.pid))
      rows.push({ front: f.name, reqPerSec: load.reqPerSec, p50: load.latencyMs.p50, p99: load.latencyMs.p99, non2xx: load.non2xx, cpuUsPerReq: cpu && load.requests ? (cpu.cpuSeconds * 1e6) / load.requests : null })
      process.stderr.write(`${f.name} · ${load.reqPerSec} req/s · non-2xx ${load.non2xx} · ${rows.at(-1).cpuUsPerReq?.toFixed(1)} CPU µs/req\n`)
    }
  }
} finally {
  await stopAll()
  rmSync(dir, { recursive: true, force: true })
}

const med = (xs) => { const v = xs.filter((x) => x !== null).sort((x, y) => x - y); return v.length ? v[Math.floor(v.length / 2)] : null }
const f = (x, d = 0) => (x === null || x === undefined ? 'n/a' : x.toFixed(d))
const names = [...new Set(rows.map((r) => r.front))]
const m = (name, k) => med(rows.filter((r) => r.front === name).map((r) => r[k]))
const httpCpu = m(names[0], 'cpuUsPerReq'), httpRps = m(names[0], 'reqPerSec')
let out = `${machineLine()}; non-streaming chat, ${connections} connections, ${durationMs / 1000}s per run, ${rounds} round(s), medians\n\n`
out += '| upstream | gateway req per CPU-s vs HTTP | gateway CPU µs/req | req/s | p50 ms | p99 ms | non-2xx |\n|---|---|---|---|---|---|---|\n'
for (const n of names) {
  const cpu = m(n, 'cpuUsPerReq')
  out += `| ${n} | ${cpu && httpCpu ? `${f(httpCpu / cpu, 2)}×` : 'n/a'} | ${f(cpu, 1)} | ${f(m(n, 'reqPerSec'))} | ${f(m(n, 'p50'), 1)} | ${f(m(n, 'p99'), 1)} | ${f(m(n, 'non2xx'))} |\n`
}
process.stdout.write(out)
void httpRps
