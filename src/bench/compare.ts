/** Gateway vs direct ratios and the baseline regression gate (SPEC §2 `bench --baseline --max-regression`). */
import type { BenchResult, Ratios, RunFigures } from './result.js'

/**
 * Ratios of one scenario's gateway run to its direct run. Absolute numbers alone mislead on a shared machine:
 * both runs see the same noise, so their ratio is what a baseline compares.
 */
export function computeRatios(gateway: RunFigures, direct: RunFigures | null): Ratios | null {
  if (!direct || direct.reqPerSec <= 0) return null
  const gCpu = gateway.cpuUsPerRequest
  const dCpu = direct.cpuUsPerRequest
  return {
    reqPerSec: round(gateway.reqPerSec / direct.reqPerSec, 3),
    addedP50Ms: round(gateway.latencyMs.p50 - direct.latencyMs.p50, 3),
    addedP99Ms: round(gateway.latencyMs.p99 - direct.latencyMs.p99, 3),
    cpuPerRequest: gCpu !== null && dCpu !== null && dCpu > 0 ? round(gCpu / dCpu, 3) : null,
    gatewayCpuUsPerRequest: gCpu,
    requestsPerGatewayCpuSecond: gCpu !== null && gCpu > 0 ? Math.round(1e6 / gCpu) : null,
  }
}

export interface RegressionRow {
  readonly scenario: string
  readonly metric: 'throughput ratio' | 'cpu per request ratio' | 'req/s'
  readonly baseline: number
  readonly current: number
  /** signed change in the bad direction: 0.12 = 12 % worse; negative = better */
  readonly worse: number
  readonly regressed: boolean
}

/** "10%", "10", "0.1" -> 0.1. Undefined when unparsable. */
export function parsePercent(v: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(%?)\s*$/.exec(v)
  if (!m) return undefined
  const n = Number(m[1])
  const frac = m[2] === '%' || n > 1 ? n / 100 : n
  return frac >= 0 && frac < 1 ? frac : undefined
}

/**
 * Compare each scenario present in both results. With direct runs on both sides the gate is machine-independent:
 * the throughput ratio (gateway/direct, higher is better) and the CPU-per-request ratio (gateway/mock, lower is
 * better). p99 is reported in the table but not gated: one run's p99 on a shared box moves more than 10 %.
 * Without direct runs (--target mode) it falls back to absolute req/s, which only compares on the same machine.
 */
export function compareToBaseline(current: BenchResult, baseline: BenchResult, maxRegression: number): RegressionRow[] {
  const rows: RegressionRow[] = []
  const base = new Map(baseline.scenarios.map((s) => [s.name, s]))
  for (const cur of current.scenarios) {
    const b = base.get(cur.name)
    if (!b || cur.skipped || b.skipped || !cur.gateway || !b.gateway) continue
    if (cur.ratios && b.ratios) {
      rows.push(row(cur.name, 'throughput ratio', b.ratios.reqPerSec, cur.ratios.reqPerSec, true, maxRegression))
      if (cur.ratios.cpuPerRequest !== null && b.ratios.cpuPerRequest !== null) {
        rows.push(row(cur.name, 'cpu per request ratio', b.ratios.cpuPerRequest, cur.ratios.cpuPerRequest, false, maxRegression))
      }
    } else {
      rows.push(row(cur.name, 'req/s', b.gateway.reqPerSec, cur.gateway.reqPerSec, true, maxRegression))
    }
  }
  return rows
}

function row(scenario: string, metric: RegressionRow['metric'], baseline: number, current: number, higherIsBetter: boolean, max: number): RegressionRow {
  const worse = baseline === 0 ? 0 : higherIsBetter ? (baseline - current) / baseline : (current - baseline) / baseline
  return { scenario, metric, baseline, current, worse: round(worse, 4), regressed: worse > max }
}

/** The gate: exit 1 when any compared metric regressed beyond the limit (SPEC §2 `bench`: 1 = baseline regression). */
export function baselineExitCode(rows: RegressionRow[]): 0 | 1 {
  return rows.some((r) => r.regressed) ? 1 : 0
}

/** Scenarios in the baseline that this run did not produce: a gate that silently compares nothing is no gate. */
export function missingFromRun(current: BenchResult, baseline: BenchResult): string[] {
  const ran = new Set(current.scenarios.filter((s) => !s.skipped && s.gateway).map((s) => s.name))
  return baseline.scenarios.filter((s) => !s.skipped && s.gateway && !ran.has(s.name)).map((s) => s.name)
}

const round = (x: number, d: number): number => Math.round(x * 10 ** d) / 10 ** d
