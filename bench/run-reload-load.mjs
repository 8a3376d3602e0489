// Live traffic during hot reloads (issue 5): p50/p99 of non-streaming chat through llmgw with no reloads, then with
// the spec rewritten 10 times a second (alternating an extra model in and out, in place and by rename), same run.
// Usage (after `npm run build`): node bench/run-reload-load.mjs [--duration 10s] [--connections 20] [--dist dist]
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { benchArgs, loadDist, machineLine } from './common.mjs'

const a = benchArgs({ connections: '20' })
const { spawnChild, stopAll, runLoad, loadScenario, resolveScenario, parseDuration } = await loadDist(a.dist)
const durationMs = parseDuration(a.duration)
const connections = Number(a.connections)
const chat = loadScenario(resolveScenario('chat'))
if (!chat.ok) throw new Error(JSON.stringify(chat.problems))
process.on('SIGINT', () => { void stopAll(0).then(() => process.exit(130)) })

const dir = mkdtempSync(join(tmpdir(), 'llmgw-reload-load-'))
const file = join(dir, 'llmgw.json')
const spec = (n) => JSON.stringify({
  version: 1,
  providers: [{ name: 'up', type: 'openai', baseUrl: 'MOCK/v1', timeout: '30s' }],
  models: [{ name: 'mock-1', targets: [{ provider: 'up', model: 'mock-1' }] }, ...(n % 2 ? [{ name: `extra-${n}`, targets: [{ provider: 'up', model: 'mock-1' }] }] : [])],
  observability: { accessLog: { format: 'off' }, metrics: true },
})
const rows = []
try {
  const mock = await spawnChild({ name: 'mock', args: ['mock', '--port', '0', '--latency', '0ms'] })
  const write = (n) => {
    const text = spec(n).replace('MOCK', mock.url)
    if (n % 4 < 2) writeFileSync(file, text)
    else { writeFileSync(`${file}.tmp`, text); renameSync(`${file}.tmp`, file) }
  }
  write(0)
  const gw = await spawnChild({ name: 'llmgw', args: ['serve', '-c', file, '--port', '0', '--no-dashboard'], startTimeoutMs: 30000 })
  await runLoad({ baseUrl: gw.url, scenario: chat.scenario, connections, durationMs: 1000 })
  for (const reloads of [false, true, false, true]) {
    let n = 1
    const timer = reloads ? setInterval(() => write(n++), 100) : undefined
    const load = await runLoad({ baseUrl: gw.url, scenario: chat.scenario, connections, durationMs })
    if (timer) clearInterval(timer)
    const metrics = await (await fetch(`${gw.url}/metrics`)).text()
    const reloaded = Number(/^llmgw_config_reloads_total\{result="ok"\} (\d+)/m.exec(metrics)?.[1] ?? 0)
    rows.push({ reloads, writes: reloads ? n - 1 : 0, reloaded, reqPerSec: load.reqPerSec, p50: load.latencyMs.p50, p99: load.latencyMs.p99, max: load.latencyMs.max, non2xx: load.non2xx, errors: load.errors })
    process.stderr.write(`${reloads ? 'reloading' : 'steady'} · ${load.reqPerSec} req/s · p99 ${load.latencyMs.p99} ms · non-2xx ${load.non2xx} · errors ${load.errors}\n`)
    write(0)
    await new Promise((r) => setTimeout(r, 500))
  }
} finally {
  await stopAll()
  rmSync(dir, { recursive: true, force: true })
}
let out = `${machineLine()}; non-streaming chat, ${connections} connections, ${durationMs / 1000}s per run\n\n`
out += '| run | spec writes | reloads applied (cumulative) | req/s | p50 ms | p99 ms | max ms | non-2xx | errors |\n|---|---|---|---|---|---|---|---|---|\n'
for (const r of rows) out += `| ${r.reloads ? 'reloading 10/s' : 'steady'} | ${r.writes} | ${r.reloaded} | ${r.reqPerSec} | ${r.p50} | ${r.p99} | ${r.max} | ${r.non2xx} | ${r.errors} |\n`
process.stdout.write(out)
