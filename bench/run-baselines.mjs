// The pass-through comparison of bench/README.md (issues 3 and 7), in one run on one machine:
// direct to `llmgw mock`, node:http+undici proxy, uWS+undici proxy, and llmgw with auth, limits, metrics and
// access log on, for non-streaming chat and a 20-chunk stream (in one burst, and paced as a model sends it), and the same
// stream asked on POST /v1/responses (responses-stream, and paced). Reports req/s, p50/p99, CPU µs per request of
// the process in front of the mock (from /proc), and the unloaded time to first SSE event added over direct.
// Usage (after `npm run build`): node bench/run-baselines.mjs [--duration 10s] [--connections 50] [--rounds 1] [--scenarios chat,chat-stream,chat-stream-paced,responses-stream,responses-stream-paced] [--json FILE] [--dist dist]
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { BENCH_KEY, benchArgs, benchDir, benchGatewaySpec, loadDist } from './common.mjs'

const here = benchDir
const a = benchArgs({ options: { rounds: { type: 'string', default: '1' }, json: { type: 'string' }, scenarios: { type: 'string', default: 'chat,chat-stream,chat-stream-paced,responses-stream' } } })
const { spawnChild, stopAll, runLoad, sampleProc, procDelta, probeTtfb, loadScenario, resolveScenario, parseDuration } = await loadDist(a.dist)

const durationMs = parseDuration(a.duration)
const connections = Number(a.connections)
const rounds = Math.max(1, Number(a.rounds))
const auth = { authorization: `Bearer ${BENCH_KEY}` }
process.on('SIGINT', () => { void stopAll(0).then(() => process.exit(130)) })

const dir = mkdtempSync(join(tmpdir(), 'llmgw-baselines-'))
// chat-stream-paced: the same 20-chunk stream with the tokens spaced as a real model sends them (the mock paces them at
// PACED_TPS, so each chunk arrives in its own read and goes out in its own write). The burst stream above arrives in
// one read: the worst case for a gateway's per-stream work against a pass-through, this one the common case. The
// proxies and the direct run get the pace from the scenario's header, llmgw's upstream from its provider's headers.
const PACED_TPS = '2000'
const PACED_MODEL = 'mock-paced'
writeFileSync(join(dir, 'chat-stream-paced.json'), JSON.stringify({
  ...JSON.parse(readFileSync(resolveScenario('chat-stream'), 'utf8')),
  name: 'chat-stream-paced',
  description: `chat-stream with the mock pacing tokens at ${PACED_TPS}/s: one read and one write per chunk`,
}, (k, v) => (k === 'model' ? PACED_MODEL : k === 'headers' ? { ...v, 'x-mock-tokens-per-second': PACED_TPS } : v)))
// responses-stream: the burst stream's 20 tokens asked on POST /v1/responses (issue 11). Direct and the proxies reach the
// mock's own /v1/responses; llmgw translates it to chat for its OpenAI-compatible upstream (the mock is not api.openai.com)
// and writes each Responses event as its chat chunk arrives. Also timed: the first response.output_text.delta.
const RESPONSES_MARKER = 'response.output_text.delta'
writeFileSync(join(dir, 'responses-stream.json'), JSON.stringify({
  name: 'responses-stream',
  description: 'the chat-stream request on POST /v1/responses with stream: true (Responses event stream)',
  method: 'POST',
  path: '/v1/responses',
  headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
  body: { model: 'mock-1', input: 'Count from one to twenty.', max_output_tokens: 20, stream: true },
  stream: true,
}))
// responses-stream-paced: the same with the tokens paced as for chat-stream-paced, so each event has its own read
writeFileSync(join(dir, 'responses-stream-paced.json'), JSON.stringify({
  ...JSON.parse(readFileSync(join(dir, 'responses-stream.json'), 'utf8')),
  name: 'responses-stream-paced',
  description: `responses-stream with the mock pacing tokens at ${PACED_TPS}/s`,
}, (k, v) => (k === 'model' ? PACED_MODEL : k === 'headers' ? { ...v, 'x-mock-tokens-per-second': PACED_TPS } : v)))
const GENERATED = new Set(['chat-stream-paced', 'responses-stream', 'responses-stream-paced'])
const scenarios = a.scenarios.split(',').map((n) => {
  const r = loadScenario(GENERATED.has(n) ? join(dir, `${n}.json`) : resolveScenario(n))
  if (!r.ok) throw new Error(JSON.stringify(r.problems))
  return r.scenario
})
const results = []
try {
  const mock = await spawnChild({ name: 'mock', args: ['mock', '--port', '0', '--latency', '0ms', '--tokens-per-second', '0'] })
  const spec = join(dir, 'llmgw.yaml')
  writeFileSync(spec, JSON.stringify(benchGatewaySpec(mock.url, join(dir, 'access.log'), {
    providers: [{ name: 'up-paced', type: 'openai', baseUrl: `${mock.url}/v1`, timeout: '30s', connections: 128, headers: { 'x-mock-tokens-per-second': PACED_TPS } }],
    models: [{ name: PACED_MODEL, targets: [{ provider: 'up-paced', model: PACED_MODEL }] }],
  }), null, 2))
  const fronts = [
    { name: 'direct (llmgw mock)', child: mock },
    { name: 'node:http + undici', child: await spawnChild({ name: 'node-http', script: join(here, 'proxies', 'node-http-undici.mjs'), args: ['--port', '0', '--upstream', mock.url] }) },
    { name: 'uWS + undici', child: await spawnChild({ name: 'uws', script: join(here, 'proxies', 'uws-undici.mjs'), args: ['--port', '0', '--upstream', mock.url] }) },
    { name: 'llmgw (auth, limits, metrics, access log)', child: await spawnChild({ name: 'llmgw', args: ['serve', '-c', spec, '--port', '0', '--no-dashboard', '--no-watch'], startTimeoutMs: 30000 }) },
  ]
  // the llmgw front really checks keys: no key -> 401, the bench key -> 200
  const gw = fronts[3].child.url
  const probe = async (headers) => (await fetch(`${gw}${scenarios[0].path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: scenarios[0].bodies[0] })).status
  const [anon, keyed] = [await probe({}), await probe(auth)]
  if (anon !== 401 || keyed !== 200) throw new Error(`llmgw front: expected 401 without a key and 200 with it, got ${anon} / ${keyed}`)
  for (const s of scenarios) {
    for (let round = 0; round < rounds; round++) {
      for (const f of fronts) {
        // warm-up: JIT and pools, not measured
        await runLoad({ baseUrl: f.child.url, scenario: s, connections, durationMs: 1000, headers: auth })
        const b = sampleProc(f.child.pid), bm = sampleProc(mock.pid)
        const load = await runLoad({ baseUrl: f.child.url, scenario: s, connections, durationMs, headers: auth })
        const cpu = procDelta(b, sampleProc(f.child.pid)), mcpu = procDelta(bm, sampleProc(mock.pid))
        const ttfb = s.stream ? await probeTtfb(f.child.url, s, 300, 6000, auth, s.path === '/v1/responses' ? RESPONSES_MARKER : undefined) : undefined
        const row = { scenario: s.name, front: f.name, round, reqPerSec: load.reqPerSec, p50: load.latencyMs.p50, p99: load.latencyMs.p99, non2xx: load.non2xx, errors: load.errors,
          cpuUsPerReq: cpu && load.requests ? (cpu.cpuSeconds * 1e6) / load.requests : null, mockCpuUsPerReq: mcpu && load.requests ? (mcpu.cpuSeconds * 1e6) / load.requests : null,
          rssMB: cpu ? cpu.rssBytes / 1048576 : null, firstEventMs: ttfb?.firstEventMs ?? null, firstDeltaMs: ttfb?.markerMs ?? null, fullMs: ttfb?.fullMs ?? null }
        results.push(row)
        process.stderr.write(`${s.name} · ${f.name} · ${row.reqPerSec} req/s · ${row.cpuUsPerReq?.toFixed(1)} CPU µs/req\n`)
      }
    }
  }
} finally {
  await stopAll()
  rmSync(dir, { recursive: true, force: true })
}

const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model, node: process.version, loadavg: loadavg().map((x) => Math.round(x * 100) / 100) }
if (a.json) writeFileSync(a.json, `${JSON.stringify({ machine, durationMs, connections, rounds, createdAt: new Date().toISOString(), results }, null, 2)}\n`)
process.stdout.write(formatMarkdown(results))

function formatMarkdown(rows) {
  const med = (xs) => { const v = xs.filter((x) => x !== null).sort((x, y) => x - y); return v.length ? v[Math.floor(v.length / 2)] : null }
  const f = (x, d = 0) => (x === null || x === undefined ? 'n/a' : x.toFixed(d))
  let out = `machine: ${machine.cpus} × ${machine.cpuModel}, node ${machine.node}, load average ${machine.loadavg.join(' / ')} at the end; ${connections} connections, ${durationMs / 1000}s per run, ${rounds} round(s), medians\n\n`
  for (const s of scenarios) {
    const by = (name) => rows.filter((r) => r.scenario === s.name && r.front === name)
    const m = (name, k) => med(by(name).map((r) => r[k]))
    const uwsRps = 1e6 / m('uWS + undici', 'cpuUsPerReq'), nodeRps = 1e6 / m('node:http + undici', 'cpuUsPerReq')
    const direct = m('direct (llmgw mock)', 'firstEventMs')
    const directDelta = m('direct (llmgw mock)', 'firstDeltaMs')
    const deltas = by('direct (llmgw mock)').some((r) => r.firstDeltaMs !== null)
    out += `#### ${s.name}${s.name === 'chat-stream-paced' ? ` (20-chunk SSE stream, tokens paced at ${PACED_TPS}/s)` : s.name.startsWith('responses-stream') ? ` (POST /v1/responses, 20 tokens, Responses event stream${s.name.endsWith('paced') ? `, tokens paced at ${PACED_TPS}/s` : ''})` : s.stream ? ' (20-chunk SSE stream)' : ' (non-streaming)'}\n\n`
    out += '| front | req per CPU-s vs uWS+undici | vs node:http+undici | req per CPU-second | CPU µs/req | req/s | p50 ms | p99 ms | non-2xx | RSS MB |' + (s.stream ? ' first SSE event ms (unloaded) | added over direct ms |' : '') + (deltas ? ' first output_text.delta ms | added over direct ms | whole stream ms |' : '') + '\n'
    out += '|---|---|---|---|---|---|---|---|---|---|' + (s.stream ? '---|---|' : '') + (deltas ? '---|---|---|' : '') + '\n'
    for (const name of [...new Set(rows.map((r) => r.front))]) {
      const cpu = m(name, 'cpuUsPerReq')
      const perCpu = cpu ? 1e6 / cpu : null
      const isDirect = name.startsWith('direct')
      out += `| ${name} | ${isDirect || !perCpu ? '-' : `${f(perCpu / uwsRps, 2)}×`} | ${isDirect || !perCpu ? '-' : `${f(perCpu / nodeRps, 2)}×`} | ${f(perCpu)} | ${f(cpu, 1)} | ${f(m(name, 'reqPerSec'))} | ${f(m(name, 'p50'), 1)} | ${f(m(name, 'p99'), 1)} | ${f(m(name, 'non2xx'))} | ${f(m(name, 'rssMB'))} |`
      if (s.stream) { const fe = m(name, 'firstEventMs'); out += ` ${f(fe, 3)} | ${isDirect || fe === null || direct === null ? '-' : f(fe - direct, 3)} |` }
      if (deltas) { const fd = m(name, 'firstDeltaMs'); out += ` ${f(fd, 3)} | ${isDirect || fd === null || directDelta === null ? '-' : f(fd - directDelta, 3)} | ${f(m(name, 'fullMs'), 3)} |` }
      out += '\n'
    }
    out += '\n'
  }
  return out
}
