/** Human output of `llmgw bench` (SPEC §2): a cli-table3 table per scenario, the ratios, and the regression table. */
import Table from 'cli-table3'
import type { RegressionRow } from './compare.js'
import type { BenchResult, RoundFigures, RunFigures, ScenarioResult } from './result.js'

const HEAD = ['run', 'req/s', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'errors', 'non-2xx', 'bytes/s', 'CPU s', 'CPU µs/req', 'RSS MB']

export function formatReport(r: BenchResult): string {
  const out: string[] = []
  const where = r.mode === 'target' ? `target ${r.target}` : `self-hosted gateway${r.config ? ` (${r.config})` : ' (generated spec)'} + llmgw mock`
  const rounds = (r.rounds ?? 1) > 1 ? `, ${r.rounds} interleaved rounds (gateway, direct) per scenario, medians` : ''
  out.push(`llmgw bench: ${where}, ${r.connections} connections, ${r.durationMs / 1000}s per run${rounds}`)
  out.push(`machine: ${r.machine.cpus} × ${r.machine.cpuModel}, node ${r.machine.node}, load ${r.machine.loadavg1m} at start`)
  for (const s of r.scenarios) out.push('', formatScenario(s))
  if (r.interrupted && r.scenarios.length > 0) out.push('', 'interrupted: the figures above are partial')
  for (const e of r.errors) out.push(`error: ${e}`)
  return out.join('\n')
}

export function formatScenario(s: ScenarioResult): string {
  const title = `${s.name}${s.stream ? ' (stream)' : ''}`
  if (s.skipped) return `${title}: skipped: ${s.skipped}`
  const t = new Table({ head: HEAD, style: { head: [], border: [] } })
  if (s.gateway) t.push(figuresRow('gateway', s.gateway))
  if (s.direct) t.push(figuresRow('direct', s.direct))
  const lines = [title, t.toString()]
  const q = s.ratios
  if (q) {
    const cpu = q.gatewayCpuUsPerRequest !== null ? `, gateway ${fmt(q.gatewayCpuUsPerRequest, 1)} CPU µs/req (${q.requestsPerGatewayCpuSecond ?? '-'} req per CPU-second)` : ''
    lines.push(`  gateway/direct: ${fmt(q.reqPerSec, 3)}× req/s, +${fmt(q.addedP50Ms, 2)} ms p50, +${fmt(q.addedP99Ms, 2)} ms p99${cpu}`)
  }
  if (s.rounds && s.rounds.length > 1) lines.push(`  ${formatRounds(s)}`)
  if (s.ttfb) {
    const d = s.ttfb.direct
    const added = s.ttfb.addedFirstEventMs !== null ? ` (+${fmt(s.ttfb.addedFirstEventMs, 3)} ms over direct ${fmt(d?.firstEventMs ?? 0, 3)} ms)` : ''
    lines.push(`  unloaded, median of ${s.ttfb.gateway.samples}: first byte ${fmt(s.ttfb.gateway.headersMs, 3)} ms, first SSE event ${fmt(s.ttfb.gateway.firstEventMs, 3)} ms${added}, full stream ${fmt(s.ttfb.gateway.fullMs, 3)} ms`)
  }
  const g = s.gateway
  if (g?.interrupted) lines.push('  (run interrupted: partial figures)')
  if (g && g.non2xx > 0) lines.push(`  status codes: ${Object.entries(g.statusCodes).map(([k, v]) => `${k}×${v}`).join(' ')}`)
  return lines.join('\n')
}

/** One line: the per-round gated figures, and their spread (the noise the gate judges a drop against). */
function formatRounds(s: ScenarioResult): string {
  const rs = s.rounds!
  const pct = (x: number | null | undefined): string => (x === null || x === undefined ? 'n/a' : `${fmt(x * 100, 1)} %`)
  const list = (f: (r: RoundFigures) => number | null, d: number): string => rs.map((r) => { const x = f(r); return x === null ? '-' : fmt(x, d) }).join(' ')
  if (rs.every((r) => r.reqPerSec !== null)) {
    const cpu = rs.every((r) => r.cpuPerRequest !== null) ? `; CPU/request ratio ${list((r) => r.cpuPerRequest, 3)} (spread ${pct(s.noise?.cpuPerRequest)})` : ''
    return `rounds: throughput ratio ${list((r) => r.reqPerSec, 3)} (spread ${pct(s.noise?.reqPerSec)})${cpu}`
  }
  return `rounds: req/s ${list((r) => r.gatewayReqPerSec, 0)} (spread ${pct(s.noise?.reqPerSec)})`
}

function figuresRow(name: string, f: RunFigures): string[] {
  const l = f.latencyMs
  return [
    name, fmt(f.reqPerSec, 0), fmt(l.p50, 2), fmt(l.p90, 2), fmt(l.p99, 2), fmt(l.max, 2), String(f.errors), String(f.non2xx),
    bytes(f.bytesPerSec), f.process ? fmt(f.process.cpuSeconds, 2) : 'n/a', f.cpuUsPerRequest !== null ? fmt(f.cpuUsPerRequest, 1) : 'n/a',
    f.process ? fmt(f.process.rssBytes / 1048576, 0) : 'n/a',
  ]
}

export function formatRegressions(rows: RegressionRow[], max: number): string {
  const t = new Table({ head: ['scenario', 'metric', 'baseline', 'current', 'change', 'noise', ''], style: { head: [], border: [] } })
  for (const r of rows) {
    const noise = r.noise === null ? 'n/a' : `${fmt(r.noise * 100, 1)}%`
    t.push([r.scenario, r.metric, fmt(r.baseline, 3), fmt(r.current, 3), `${r.worse > 0 ? '-' : '+'}${fmt(Math.abs(r.worse) * 100, 1)}%`, noise, verdictText(r)])
  }
  const bad = rows.filter((r) => r.regressed).length
  const unsure = rows.filter((r) => r.verdict === 'inconclusive')
  const lim = `${fmt(max * 100, 1)}%`
  const inconclusive = unsure.length > 0 ? `; ${unsure.length} drop(s) beyond ${lim} inconclusive: within the noise of the rounds, not a failure` : ''
  const head = bad > 0 ? `${bad} regression(s) beyond ${lim} against the baseline${inconclusive}:` : `no regression beyond ${lim} against the baseline${inconclusive}`
  const notes: string[] = []
  if (rows.some((r) => r.noise === null)) notes.push('noise n/a: neither run has 2 or more rounds, so --max-regression alone decides (give --rounds 5)')
  return [head, t.toString(), ...notes].join('\n')
}

/** The last column: REGRESSED, ok, or inconclusive with the noise the drop stayed within. */
export function verdictText(r: RegressionRow): string {
  if (r.verdict === 'inconclusive') return `inconclusive (noise ${fmt((r.noise ?? 0) * 100, 1)} %)`
  return r.regressed ? 'REGRESSED' : 'ok'
}

function fmt(x: number, d: number): string {
  return Number.isFinite(x) ? x.toFixed(d) : '-'
}

function bytes(n: number): string {
  if (n >= 1048576) return `${(n / 1048576).toFixed(1)} MB`
  if (n >= 1024) return `${(n / 1024).toFixed(1)} kB`
  return `${n} B`
}
