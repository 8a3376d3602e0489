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
