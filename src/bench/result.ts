/** The `llmgw bench --json` document (SPEC §2 `bench`); schemas/bench-result.schema.json describes the same shape. */
import { cpus, loadavg } from 'node:os'
import type { ProcDelta } from './proc.js'
import type { LoadResult } from './run.js'
import type { TtfbResult } from './ttfb.js'

export const BENCH_RESULT_SCHEMA = 'llmgw-bench-result/1'

/** One autocannon run plus what /proc said about the process under test (absent in --target mode). */
export interface RunFigures extends LoadResult {
  readonly process: ProcDelta | null
  /** CPU microseconds the measured process spent per completed request */
  readonly cpuUsPerRequest: number | null
}

export interface Ratios {
  /** gateway req/s ÷ direct req/s (1.0 = no throughput cost) */
  readonly reqPerSec: number
  readonly addedP50Ms: number
  readonly addedP99Ms: number
  /** gateway CPU µs per request ÷ mock CPU µs per request: machine-speed independent */
  readonly cpuPerRequest: number | null
  readonly gatewayCpuUsPerRequest: number | null
  /** requests per gateway CPU-second: the fair figure when load generator, gateway and mock share cores */
  readonly requestsPerGatewayCpuSecond: number | null
}

export interface ScenarioResult {
  readonly name: string
  readonly file: string
  readonly stream: boolean
  /** why the scenario did not run (missing feature, crash before it started); null when it ran */
  readonly skipped: string | null
  readonly gateway: RunFigures | null
  readonly direct: RunFigures | null
  readonly ratios: Ratios | null
  /** requests the mock counted during the gateway run (self-hosted only): proof the gateway really proxied */
  readonly upstreamRequests: number | null
  readonly ttfb: { readonly gateway: TtfbResult; readonly direct: TtfbResult | null; readonly addedFirstEventMs: number | null } | null
  /**
   * One entry per interleaved round (gateway run, then direct run), in order. `gateway`, `direct` and `ratios` above
   * sum the rounds (figures) and take the median of the per-round ratios (ratios). Absent in files from before rounds.
   */
  readonly rounds?: RoundFigures[]
  /** Relative spread of the gated per-round figures (see compare.ts `spread`); absent in files from before rounds. */
  readonly noise?: Noise | null
}

/** What one round measured: the figures the gate looks at, per side and as ratios. */
export interface RoundFigures {
  readonly gatewayReqPerSec: number
  readonly gatewayCpuUsPerRequest: number | null
  readonly directReqPerSec: number | null
  readonly directCpuUsPerRequest: number | null
  /** gateway req/s ÷ direct req/s of this round (null without a direct run) */
  readonly reqPerSec: number | null
  /** gateway CPU µs per request ÷ mock CPU µs per request of this round */
  readonly cpuPerRequest: number | null
}

/** Robust relative spread of the per-round values (0.08 = 8 %); null with fewer than 2 rounds. */
export interface Noise {
  /** of the throughput ratio (or of absolute req/s without a direct run) */
  readonly reqPerSec: number | null
  readonly cpuPerRequest: number | null
}

export interface BenchResult {
  readonly schema: typeof BENCH_RESULT_SCHEMA
  readonly llmgwVersion: string
  readonly createdAt: string
  readonly machine: { readonly cpus: number; readonly cpuModel: string; readonly node: string; readonly platform: string; readonly loadavg1m: number }
  readonly mode: 'self-hosted' | 'target'
  readonly target: string | null
  readonly config: string | null
  readonly connections: number
  readonly durationMs: number
  /** interleaved rounds per scenario (absent in files from before rounds: 1) */
  readonly rounds?: number
  /** true when a run was cut short (Ctrl-C, gateway crash): the figures are partial */
  readonly interrupted: boolean
  readonly errors: string[]
  readonly scenarios: ScenarioResult[]
}

export function machineInfo(): BenchResult['machine'] {
  const c = cpus()
  return { cpus: c.length, cpuModel: c[0]?.model ?? 'unknown', node: process.version, platform: process.platform, loadavg1m: Math.round((loadavg()[0] ?? 0) * 100) / 100 }
}

export function toRunFigures(load: LoadResult, proc: ProcDelta | undefined): RunFigures {
  const cpuUs = proc && load.requests > 0 ? Math.round((proc.cpuSeconds * 1e6) / load.requests * 10) / 10 : null
  return { ...load, process: proc ?? null, cpuUsPerRequest: cpuUs }
}

/**
 * The figures of several rounds of one side as one run: counts, CPU and time summed, req/s and CPU per request over the
 * sums, latency percentiles the median of the rounds' (max the max). One round comes back as it is.
 */
export function mergeRuns(runs: readonly RunFigures[]): RunFigures {
  if (runs.length === 1) return runs[0]!
  const sum = (f: (r: RunFigures) => number): number => runs.reduce((a, r) => a + f(r), 0)
  const med = (f: (r: RunFigures) => number): number => median(runs.map(f))
  const durationSec = sum((r) => r.durationSec)
  const requests = sum((r) => r.requests)
  const statusCodes: Record<string, number> = {}
  for (const r of runs) for (const [k, v] of Object.entries(r.statusCodes)) statusCodes[k] = (statusCodes[k] ?? 0) + v
  const procs = runs.map((r) => r.process)
  const process = procs.every((p) => p !== null)
    ? { cpuSeconds: round(procs.reduce((a, p) => a + p!.cpuSeconds, 0), 4), rssBytes: procs[procs.length - 1]!.rssBytes, peakRssBytes: Math.max(...procs.map((p) => p!.peakRssBytes)) }
    : null
  const d = durationSec > 0 ? durationSec : 1
  return {
    requests,
    reqPerSec: round(requests / d, 1),
    latencyMs: { p50: med((r) => r.latencyMs.p50), p90: med((r) => r.latencyMs.p90), p99: med((r) => r.latencyMs.p99), max: Math.max(...runs.map((r) => r.latencyMs.max)), mean: round(med((r) => r.latencyMs.mean), 3) },
    errors: sum((r) => r.errors),
    timeouts: sum((r) => r.timeouts),
    non2xx: sum((r) => r.non2xx),
    statusCodes,
    bytesPerSec: round(sum((r) => r.bytesPerSec * r.durationSec) / d, 0),
    durationSec: round(durationSec, 3),
    interrupted: runs.some((r) => r.interrupted),
    process,
    cpuUsPerRequest: process && requests > 0 ? round((process.cpuSeconds * 1e6) / requests, 1) : null,
  }
}

/** Median of a non-empty list (mean of the middle two for an even count). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

const round = (x: number, d: number): number => Math.round(x * 10 ** d) / 10 ** d

/** Narrow an unknown JSON value to a BenchResult, or say what is wrong (for --baseline files). */
export function parseBenchResult(v: unknown, file: string): BenchResult {
  const o = v as Partial<BenchResult> | null
  if (!o || typeof o !== 'object') throw new Error(`${file}: not a bench result (expected a JSON object)`)
  if (o.schema !== BENCH_RESULT_SCHEMA) throw new Error(`${file}: not a bench result (schema is ${JSON.stringify(o.schema)}, expected "${BENCH_RESULT_SCHEMA}"; write one with llmgw bench --json or --save-baseline)`)
  if (!Array.isArray(o.scenarios)) throw new Error(`${file}: 'scenarios' must be a list`)
  for (const [i, s] of o.scenarios.entries()) {
    if (!s || typeof s.name !== 'string') throw new Error(`${file}: scenarios[${i}].name must be a string`)
  }
  return o as BenchResult
}
