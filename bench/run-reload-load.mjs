// Live traffic during hot reloads (issue 5): p50/p99 of non-streaming chat through llmgw with no reloads, then with
// the spec rewritten 10 times a second (alternating an extra model in and out, in place and by rename), same run.
// Usage (after `npm run build`): node bench/run-reload-load.mjs [--duration 10s] [--connections 20] [--dist dist]
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'

const here = dirname(fileURLToPath(import.meta.url))
const { values: a } = parseArgs({ options: {
  duration: { type: 'string', default: '10s' }, connections: { type: 'string', default: '20' },
  dist: { type: 'string', default: join(here, '..', 'dist') },
} })
const dist = pathToFileURL(resolve(a.dist)).href
const { spawnChild, stopAll } = await import(`${dist}/bench/children.js`)
const { runLoad } = await import(`${dist}/bench/run.js`)
const { loadScenario, resolveScenario } = await import(`${dist}/bench/scenario.js`)
const { parseDuration } = await import(`${dist}/core/duration.js`)
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
let out = `machine: ${cpus().length} × ${cpus()[0]?.model}, node ${process.version}, load average ${loadavg().map((x) => x.toFixed(2)).join(' / ')} at the end; non-streaming chat, ${connections} connections, ${durationMs / 1000}s per run\n\n`
out += '| run | spec writes | reloads applied (cumulative) | req/s | p50 ms | p99 ms | max ms | non-2xx | errors |\n|---|---|---|---|---|---|---|---|---|\n'
for (const r of rows) out += `| ${r.reloads ? 'reloading 10/s' : 'steady'} | ${r.writes} | ${r.reloaded} | ${r.reqPerSec} | ${r.p50} | ${r.p99} | ${r.max} | ${r.non2xx} | ${r.errors} |\n`
process.stdout.write(out)
