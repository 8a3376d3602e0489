// The release gate, checked against itself: N comparisons of two `llmgw bench` runs of the same build (each must pass:
// exit 0), then runs with the LLMGW_TEST_SLOWDOWN test hook against a baseline of the same build (each must fail:
// exit 1). Prints one row per comparison. Loopback only; every run is bounded (rounds x 2 x duration + warm-up).
//
//   node bench/run-gate.mjs [--comparisons 10] [--slowed 1] [--slowdown 2] [--rounds 5] [--duration 1s]
//                           [--connections 50] [--scenario chat] [--max-regression 10%] [--json FILE]
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { benchArgs, machineLine } from './common.mjs'

const o = benchArgs({ options: {
  comparisons: { type: 'string', default: '10' }, slowed: { type: 'string', default: '1' }, slowdown: { type: 'string', default: '2' },
  rounds: { type: 'string', default: '5' }, scenario: { type: 'string', default: 'chat' }, 'max-regression': { type: 'string', default: '10%' },
  json: { type: 'string' },
} })
if (o.duration === '10s') o.duration = '1s' // short bounded rounds unless told otherwise
// the llmgw of --dist (a copy of dist/ keeps a run going while dist/ is rebuilt)
const { compareToBaseline, parsePercent } = await import(pathToFileURL(join(o.dist, 'bench/compare.js')).href)
const { cliArgv } = await import(pathToFileURL(join(o.dist, 'bench/children.js')).href)
const max = parsePercent(o['max-regression'])
const dir = mkdtempSync(join(tmpdir(), 'llmgw-gate-'))

/** One `llmgw bench` child; resolves with its exit code (a run that hangs is killed after 5 minutes). */
function bench(args, env = {}) {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, cliArgv(['bench', '--scenario', o.scenario, '--duration', o.duration, '--connections', o.connections,
      '--rounds', o.rounds, '--max-regression', o['max-regression'], ...args]), { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } })
    let err = ''
    p.stdout.resume()
    p.stderr.on('data', (d) => { err += d })
    const kill = setTimeout(() => p.kill('SIGKILL'), 300_000)
    p.on('exit', (code) => { clearTimeout(kill); resolve({ code, err }) })
  })
}

const pct = (x) => (x === null || x === undefined ? 'n/a' : `${(x * 100).toFixed(1)} %`)
const signed = (w) => `${w > 0 ? '-' : '+'}${(Math.abs(w) * 100).toFixed(1)} %`
const rows = []

async function compare(kind, i, env) {
  const a = join(dir, `${kind}-${i}-baseline.json`)
  const b = join(dir, `${kind}-${i}-current.json`)
  const first = await bench(['--save-baseline', a])
  if (first.code !== 0) throw new Error(`baseline run ${i} exited ${first.code}:\n${first.err}`)
  const second = await bench(['--baseline', a, '--save-baseline', b], env)
  const base = JSON.parse(readFileSync(a, 'utf8'))
  const cur = JSON.parse(readFileSync(b, 'utf8'))
  const gate = compareToBaseline(cur, base, max)
  const expected = kind === 'same build' ? 0 : 1
  const row = { kind, i, exit: second.code, expected, ok: second.code === expected, gate, loadavg1m: cur.machine.loadavg1m }
  rows.push(row)
  const cell = (m) => { const r = gate.find((g) => g.metric === m); return r ? `${signed(r.worse)} / ${pct(r.noise)} ${r.verdict}` : '-' }
  console.log(`| ${kind} | ${i} | ${cell('throughput ratio')} | ${cell('cpu per request ratio')} | ${row.loadavg1m} | ${second.code} | ${row.ok ? 'as expected' : 'UNEXPECTED'} |`)
}

try {
  console.log(`${o.scenario}, ${o.rounds} interleaved rounds of ${o.duration} per side and run, ${o.connections} connections, --max-regression ${o['max-regression']}`)
  console.log('')
  console.log('| comparison | # | throughput ratio: change / noise, verdict | CPU per request ratio: change / noise, verdict | load 1m | exit | |')
  console.log('|---|---|---|---|---|---|---|')
  const n = Number(o.comparisons)
  for (let i = 1; i <= n; i++) await compare('same build', i, {})
  for (let i = 1; i <= Number(o.slowed); i++) await compare(`LLMGW_TEST_SLOWDOWN=${o.slowdown}`, i, { LLMGW_TEST_SLOWDOWN: o.slowdown })
  const same = rows.filter((r) => r.kind === 'same build')
  const slow = rows.filter((r) => r.kind !== 'same build')
  console.log('')
  console.log(`same build: ${same.filter((r) => r.ok).length} of ${same.length} passed; slowed: ${slow.filter((r) => r.ok).length} of ${slow.length} failed the gate`)
  console.log(machineLine())
  if (o.json) writeFileSync(o.json, `${JSON.stringify({ options: o, machine: machineLine(), rows }, null, 2)}\n`)
  process.exitCode = rows.every((r) => r.ok) ? 0 : 1
} finally {
  rmSync(dir, { recursive: true, force: true })
}
