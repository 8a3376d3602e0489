// Micro benchmark of the per-request observability cost (issue 6 "Measure"; SPEC §3 observability, §5 metrics):
// ns per onEnd for metrics (slot tables vs naive prom-client label calls), the access log (pino, async vs sync
// destination, /dev/null and a real file), the dashboard snapshot, and the tracer (no-op vs OTel at ratio 1.0).
// Usage (after `npx tsc`): node bench/observe/onend-bench.mjs [--dist dist] [--n 300000] [--rounds 3] [--json FILE]
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { cpus, loadavg, tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'

const here = dirname(fileURLToPath(import.meta.url))
const { values: a } = parseArgs({ options: {
  dist: { type: 'string', default: join(here, '..', '..', 'dist') }, n: { type: 'string', default: '300000' },
  rounds: { type: 'string', default: '3' }, json: { type: 'string' },
} })
const dist = pathToFileURL(resolve(a.dist)).href
const N = Number(a.n)
const ROUNDS = Number(a.rounds)
const { createMetrics } = await import(`${dist}/observe/metrics.js`)
const { createAccessLog } = await import(`${dist}/observe/access-log.js`)
const { createSnapshot } = await import(`${dist}/observe/snapshot.js`)
const { createTracer } = await import(`${dist}/observe/tracing.js`)
const { syntheticRecord } = await import(`${dist}/observe/synthetic-record.js`)
const { createLogDestination } = await import(`${dist}/observe/log-destination.js`)
const { formatAccessLine } = await import(`${dist}/observe/access-log.js`)
const { pino } = await import('pino')
const { Counter, Histogram, Registry } = await import('prom-client')

const MODELS = ['gpt-4o', 'gpt-4o-mini', 'claude-sonnet', 'embed-small']
const PROVIDERS = ['openai', 'claude', 'sim']
const KEYS = ['team-a', 'team-b', 'team-c']
// 1024 varied records (statuses, keys, streams, unknown models) so no call site sees one constant shape.
const RECORDS = Array.from({ length: 1024 }, (_, i) => syntheticRecord({
  requestId: `req-${i.toString(16).padStart(8, '0')}`,
  model: i % 17 === 0 ? undefined : MODELS[i % MODELS.length],
  modelAsked: i % 17 === 0 ? `junk-${i}` : MODELS[i % MODELS.length],
  provider: PROVIDERS[i % PROVIDERS.length],
  keyId: i % 5 === 0 ? undefined : KEYS[i % KEYS.length],
  status: i % 23 === 0 ? 502 : i % 11 === 0 ? 429 : 200,
  stream: i % 2 === 0,
  ttftMs: i % 2 === 0 ? 50 + (i % 300) : undefined,
  latencyMs: 20 + ((i * 37) % 5000),
  promptTokens: 10 + (i % 500),
  completionTokens: i % 400,
  costUsd: (i % 7) * 0.0001,
}))

/**
 * Per call of fn(record), in chunks of 100 with a macrotask between so async writers drain (as in a server).
 * cpu: process CPU time (all threads: the libuv pool's writes and GC included) per call, over the whole round.
 * wall: main-thread time inside the loops only. On a shared, loaded machine cpu is the steadier figure.
 */
async function measure(fn) {
  const chunk = 100
  for (let i = 0; i < 50_000; i++) {
    fn(RECORDS[i & 1023])
    if (i % chunk === 0) await new Promise((r) => setImmediate(r))
  }
  await new Promise((r) => setTimeout(r, 50))
  const cpu = []
  const wall = []
  for (let round = 0; round < ROUNDS; round++) {
    let busy = 0n
    const c0 = process.cpuUsage()
    for (let done = 0; done < N; done += chunk) {
      const t0 = process.hrtime.bigint()
      for (let i = done; i < done + chunk; i++) fn(RECORDS[i & 1023])
      busy += process.hrtime.bigint() - t0
      await new Promise((r) => setImmediate(r))
    }
    await new Promise((r) => setTimeout(r, 20))
    const c = process.cpuUsage(c0)
    cpu.push(((c.user + c.system) * 1000) / N)
    wall.push(Number(busy) / N)
  }
  const median = (xs) => xs.sort((x, y) => x - y)[Math.floor(xs.length / 2)]
  return { cpu: median(cpu), wall: median(wall) }
}

function naivePromClient() {
  const registers = [new Registry()]
  const requests = new Counter({ name: 'r_total', help: 'h', labelNames: ['model', 'provider', 'status'], registers })
  const duration = new Histogram({ name: 'd_seconds', help: 'h', buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 90, 120], registers })
  const ttft = new Histogram({ name: 't_seconds', help: 'h', registers })
  const tokens = new Counter({ name: 'tok_total', help: 'h', labelNames: ['model', 'direction'], registers })
  const cost = new Counter({ name: 'c_total', help: 'h', labelNames: ['key', 'model'], registers })
  return (r) => {
    const model = r.model ?? 'unknown'
    requests.inc({ model, provider: r.provider ?? 'unknown', status: String(r.status) })
    duration.observe(r.latencyMs / 1000)
    if (r.ttftMs !== undefined) ttft.observe(r.ttftMs / 1000)
    if (r.promptTokens > 0) tokens.inc({ model, direction: 'input' }, r.promptTokens)
    if (r.completionTokens > 0) tokens.inc({ model, direction: 'output' }, r.completionTokens)
    if (r.costUsd > 0) cost.inc({ key: r.keyId ?? 'anonymous', model }, r.costUsd)
  }
}

const dir = mkdtempSync(join(tmpdir(), 'llmgw-bench-observe-'))
const rows = []
async function row(name, fn, extra = {}) {
  const { cpu, wall } = await measure(fn)
  rows.push({ name, cpuNsPerOp: Math.round(cpu), wallNsPerOp: Math.round(wall), ...extra })
  console.log(`${name.padEnd(58)} cpu ${String(Math.round(cpu)).padStart(7)} ns/op  wall ${String(Math.round(wall)).padStart(7)} ns/op`)
}

const sets = { models: MODELS, providers: PROVIDERS, keys: KEYS }
const metrics = createMetrics(sets)
await row('metrics.onEnd (slot tables, scrape-time flush)', (r) => metrics.onEnd(r))
await row('naive prom-client (labels hashed per call)', naivePromClient())
const snap = createSnapshot({ models: MODELS })
await row('snapshot.onEnd (dashboard)', (r) => snap.onEnd(r))
const { accessLineJson } = await import(`${dist}/observe/access-log.js`)
await row('access log line only (accessLineJson, no write)', (r) => accessLineJson(r))
for (const [label, target, sync] of [
  ['/dev/null async (minLength 32 KiB)', '/dev/null', false],
  ['/dev/null sync', '/dev/null', true],
  ['file async (minLength 32 KiB)', join(dir, 'async.log'), false],
  ['file sync', join(dir, 'sync.log'), true],
]) {
  const log = createAccessLog({ format: 'json', destination: target }, { sync })
  await row(`accessLog.onEnd json ${label}`, (r) => log.onEnd(r))
  await log.close()
  rows.at(-1).dropped = log.dropped
  if (log.dropped > 0) console.log(`  (${log.dropped} lines dropped)`)
}
const pdest = createLogDestination(join(dir, 'pino.log'))
const plog = pino({ base: null, timestamp: false }, pdest.stream)
await row('pino.info(formatAccessLine(r)), same file async destination', (r) => plog.info(formatAccessLine(r)))
await pdest.close()
rows.at(-1).dropped = pdest.dropped
const log = createAccessLog({ format: 'json', destination: join(dir, 'both.log') })
const m2 = createMetrics(sets)
await row('metrics + accessLog (file async) together', (r) => { m2.onEnd(r); log.onEnd(r) })
await log.close()

const noop = await createTracer(undefined)
await row('tracer off: startRequest + upstreamTraceparent + end', (r) => { const s = noop.startRequest(undefined, undefined); s.upstreamTraceparent(); s.end(r) })
const collector = createServer((req, res) => { req.resume(); req.on('end', () => res.end('{}')) })
await new Promise((r) => collector.listen(0, '127.0.0.1', r))
const otel = await createTracer({ otlpEndpoint: `http://127.0.0.1:${collector.address().port}/v1/traces`, sampleRatio: 1, serviceName: 'bench', scheduledDelayMs: 200 })
const attrs = { 'http.request.method': 'POST', 'url.path': '/v1/chat/completions' }
await row('tracer OTel ratio 1.0: request span + 1 attempt span', (r) => {
  const s = otel.startRequest(undefined, undefined, attrs)
  s.startAttempt({ 'llmgw.provider': r.provider }).end(r.status)
  s.end(r)
})
await otel.close()
collector.close()
rmSync(dir, { recursive: true, force: true })

const env = { node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model, loadavg: loadavg().map((x) => +x.toFixed(2)), n: N, rounds: ROUNDS }
console.log(JSON.stringify(env))
if (a.json) writeFileSync(a.json, JSON.stringify({ env, rows }, null, 2) + '\n')
