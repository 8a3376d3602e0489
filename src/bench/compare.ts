/** Gateway vs direct ratios and the baseline regression gate (SPEC §2 `bench --baseline --max-regression`). */
import { median, type BenchResult, type Noise, type Ratios, type RoundFigures, type RunFigures, type ScenarioResult } from './result.js'

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

/** The figures of one interleaved round (gateway run, then direct run) that the gate reads. */
export function roundFigures(gateway: RunFigures, direct: RunFigures | null): RoundFigures {
  const q = computeRatios(gateway, direct)
  return {
    gatewayReqPerSec: gateway.reqPerSec, gatewayCpuUsPerRequest: gateway.cpuUsPerRequest,
    directReqPerSec: direct?.reqPerSec ?? null, directCpuUsPerRequest: direct?.cpuUsPerRequest ?? null,
    reqPerSec: q?.reqPerSec ?? null, cpuPerRequest: q?.cpuPerRequest ?? null,
  }
}

/** The ratios of several rounds as one: each field the median of the rounds' (null fields left out; all null -> null). */
export function medianRatios(rounds: readonly (Ratios | null)[]): Ratios | null {
  const qs = rounds.filter((q): q is Ratios => q !== null)
  if (qs.length === 0) return null
  if (qs.length === 1) return qs[0]!
  const med = (f: (q: Ratios) => number | null, d: number): number | null => {
    const xs = qs.map(f).filter((x): x is number => x !== null)
    return xs.length === 0 ? null : round(median(xs), d)
  }
  const gCpu = med((q) => q.gatewayCpuUsPerRequest, 1)
  return {
    reqPerSec: med((q) => q.reqPerSec, 3)!,
    addedP50Ms: med((q) => q.addedP50Ms, 3)!,
    addedP99Ms: med((q) => q.addedP99Ms, 3)!,
    cpuPerRequest: med((q) => q.cpuPerRequest, 3),
    gatewayCpuUsPerRequest: gCpu,
    requestsPerGatewayCpuSecond: gCpu !== null && gCpu > 0 ? Math.round(1e6 / gCpu) : null,
  }
}

/** Scales a median absolute deviation to a standard deviation for normally distributed values. */
const MAD_TO_SIGMA = 1.4826

/**
 * Small-sample factors for the MAD, n = 2..9 (Croux & Rousseeuw 1992; a simulation of 400,000 normal samples per n
 * here gave the same to 2 decimals): a MAD of 3 or 5 values comes out low on average, by a third for 3.
 */
const MAD_SMALL_N: Record<number, number> = { 2: 1.196, 3: 1.495, 4: 1.363, 5: 1.206, 6: 1.2, 7: 1.14, 8: 1.129, 9: 1.107 }
const madSmallN = (n: number): number => MAD_SMALL_N[n] ?? n / (n - 0.8)

/**
 * Robust relative spread of one run's per-round values: 1.4826 x MAD / median, corrected for the number of rounds
 * (for normal noise that is the standard deviation of one round, as a fraction of the median). One bad round out of
 * five moves the MAD little, unlike a standard deviation or a range. null with fewer than 2 values or a median of 0.
 */
export function spread(values: readonly number[]): number | null {
  if (values.length < 2) return null
  const m = median(values)
  if (m === 0) return null
  return round((madSmallN(values.length) * MAD_TO_SIGMA * median(values.map((v) => Math.abs(v - m)))) / Math.abs(m), 4)
}

/** The noise of one run's rounds: the spread of the gated figures (ratios to direct; absolute req/s without direct). */
export function roundsNoise(rounds: readonly RoundFigures[]): Noise | null {
  if (rounds.length < 2) return null
  const vals = (f: (r: RoundFigures) => number | null): number[] => {
    const xs = rounds.map(f)
    return xs.every((x) => x !== null) ? (xs as number[]) : []
  }
  const direct = rounds.every((r) => r.reqPerSec !== null)
  return {
    reqPerSec: spread(direct ? vals((r) => r.reqPerSec) : rounds.map((r) => r.gatewayReqPerSec)),
    cpuPerRequest: spread(vals((r) => r.cpuPerRequest)),
  }
}

/** Standard error of a median of n normal values: about 1.2533 sigma / sqrt(n) (sqrt(pi/2)). */
const MEDIAN_SE = 1.2533

/**
 * How many standard errors of the difference of the two medians a drop must exceed to count as measured. Four, not
 * two or three: the rounds of one run cannot see load that changed between the two runs, and on the busy 2-core
 * machine same-build comparisons differed by up to 3.2 standard errors estimated from the rounds alone (bench/README.md
 * "The release gate").
 */
export const NOISE_Z = 4

/** One run's share of the noise: the spread of its rounds and how many there were. */
export interface RunNoise {
  readonly spread: number
  readonly rounds: number
}

/**
 * The noise a drop is judged against, as a fraction: NOISE_Z x the standard error of (current median - baseline
 * median), from each run's spread and round count. More rounds give a smaller noise. A run without a spread (a
 * baseline from before rounds, or --rounds 1) is assumed as noisy as the other one; with neither, the noise is
 * unknown (null) and only --max-regression decides, as before rounds.
 */
export function combinedNoise(current: RunNoise | null, baseline: RunNoise | null): number | null {
  if (current === null && baseline === null) return null
  const c = current ?? baseline!
  const b = baseline ?? current!
  const se2 = (r: RunNoise): number => (MEDIAN_SE * r.spread) ** 2 / r.rounds
  return round(NOISE_Z * Math.sqrt(se2(c) + se2(b)), 4)
}

export type Verdict = 'ok' | 'regressed' | 'inconclusive'

/**
 * The gate's rule for one metric: a regression only when the drop exceeds both the allowed regression and the noise.
 * A drop beyond the limit that the noise could explain is `inconclusive`: it does not fail the gate.
 */
export function judge(worse: number, maxRegression: number, noise: number | null): Verdict {
  if (!(worse > maxRegression)) return 'ok'
  return noise === null || worse > noise ? 'regressed' : 'inconclusive'
}

export interface RegressionRow {
  readonly scenario: string
  readonly metric: 'throughput ratio' | 'cpu per request ratio' | 'req/s'
  readonly baseline: number
  readonly current: number
  /** signed change in the bad direction: 0.12 = 12 % worse; negative = better */
  readonly worse: number
  /** the noise the drop was judged against (combinedNoise, a fraction), null when neither run had rounds */
  readonly noise: number | null
  readonly verdict: Verdict
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
    const noise = (f: (n: Noise) => number | null): number | null => combinedNoise(runNoise(cur, f), runNoise(b, f))
    if (cur.ratios && b.ratios) {
      rows.push(row(cur.name, 'throughput ratio', b.ratios.reqPerSec, cur.ratios.reqPerSec, true, maxRegression, noise((n) => n.reqPerSec)))
      if (cur.ratios.cpuPerRequest !== null && b.ratios.cpuPerRequest !== null) {
        rows.push(row(cur.name, 'cpu per request ratio', b.ratios.cpuPerRequest, cur.ratios.cpuPerRequest, false, maxRegression, noise((n) => n.cpuPerRequest)))
      }
    } else {
      rows.push(row(cur.name, 'req/s', gatewayReqPerSec(b), gatewayReqPerSec(cur), true, maxRegression, noise((n) => n.reqPerSec)))
    }
  }
  return rows
}

function runNoise(s: ScenarioResult, f: (n: Noise) => number | null): RunNoise | null {
  const spread = s.noise ? f(s.noise) : null
  return spread === null || !s.rounds ? null : { spread, rounds: s.rounds.length }
}

/** Absolute req/s of the gateway (--target mode): the median of the rounds when there are rounds. */
function gatewayReqPerSec(s: ScenarioResult): number {
  return s.rounds && s.rounds.length > 1 ? round(median(s.rounds.map((r) => r.gatewayReqPerSec)), 1) : s.gateway!.reqPerSec
}

function row(scenario: string, metric: RegressionRow['metric'], baseline: number, current: number, higherIsBetter: boolean, max: number, noise: number | null): RegressionRow {
  const worse = round(baseline === 0 ? 0 : higherIsBetter ? (baseline - current) / baseline : (current - baseline) / baseline, 4)
  const verdict = judge(worse, max, noise)
  return { scenario, metric, baseline, current, worse, noise, verdict, regressed: verdict === 'regressed' }
}

/**
 * The gate: exit 1 when any compared metric regressed beyond both the limit and the noise (SPEC §2 `bench`: 1 =
 * baseline regression). Inconclusive rows do not fail it: SPEC gives no code for them, and a gate that fires on noise
 * is worse than none.
 */
export function baselineExitCode(rows: RegressionRow[]): 0 | 1 {
  return rows.some((r) => r.regressed) ? 1 : 0
}

/** Scenarios in the baseline that this run did not produce: a gate that silently compares nothing is no gate. */
export function missingFromRun(current: BenchResult, baseline: BenchResult): string[] {
  const ran = new Set(current.scenarios.filter((s) => !s.skipped && s.gateway).map((s) => s.name))
  return baseline.scenarios.filter((s) => !s.skipped && s.gateway && !ran.has(s.name)).map((s) => s.name)
}

const round = (x: number, d: number): number => Math.round(x * 10 ** d) / 10 ** d
