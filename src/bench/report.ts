/** Human output of `llmgw bench` (SPEC §2): a cli-table3 table per scenario, the ratios, and the regression table. */
import Table from 'cli-table3'
import type { RegressionRow } from './compare.js'
import type { BenchResult, RunFigures, ScenarioResult } from './result.js'

const HEAD = ['run', 'req/s', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'errors', 'non-2xx', 'bytes/s', 'CPU s', 'CPU µs/req', 'RSS MB']

export function formatReport(r: BenchResult): string {
  const out: string[] = []
  const where = r.mode === 'target' ? `target ${r.target}` : `self-hosted gateway${r.config ? ` (${r.config})` : ' (generated spec)'} + llmgw mock`
  out.push(`llmgw bench: ${where}, ${r.connections} connections, ${r.durationMs / 1000}s per run`)
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

function figuresRow(name: string, f: RunFigures): string[] {
  const l = f.latencyMs
  return [
    name, fmt(f.reqPerSec, 0), fmt(l.p50, 2), fmt(l.p90, 2), fmt(l.p99, 2), fmt(l.max, 2), String(f.errors), String(f.non2xx),
    bytes(f.bytesPerSec), f.process ? fmt(f.process.cpuSeconds, 2) : 'n/a', f.cpuUsPerRequest !== null ? fmt(f.cpuUsPerRequest, 1) : 'n/a',
    f.process ? fmt(f.process.rssBytes / 1048576, 0) : 'n/a',
  ]
}

export function formatRegressions(rows: RegressionRow[], max: number): string {
  const t = new Table({ head: ['scenario', 'metric', 'baseline', 'current', 'change', ''], style: { head: [], border: [] } })
  for (const r of rows) t.push([r.scenario, r.metric, fmt(r.baseline, 3), fmt(r.current, 3), `${r.worse > 0 ? '-' : '+'}${fmt(Math.abs(r.worse) * 100, 1)}%`, r.regressed ? 'REGRESSED' : 'ok'])
  const bad = rows.filter((r) => r.regressed).length
  const head = bad > 0 ? `${bad} regression(s) beyond ${fmt(max * 100, 1)}% against the baseline:` : `no regression beyond ${fmt(max * 100, 1)}% against the baseline`
  return `${head}\n${t.toString()}`
}

function fmt(x: number, d: number): string {
  return Number.isFinite(x) ? x.toFixed(d) : '-'
}

function bytes(n: number): string {
  if (n >= 1048576) return `${(n / 1048576).toFixed(1)} MB`
  if (n >= 1024) return `${(n / 1024).toFixed(1)} kB`
  return `${n} B`
}
