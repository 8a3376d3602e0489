/** One `llmgw bench` run: every scenario against the gateway and directly against the mock (SPEC §2 `bench`). */
import { request, type Dispatcher } from 'undici'
import { packageVersion } from '../core/package-root.js'
import { redactUrl } from '../core/url-secrets.js'
import type { Child } from './children.js'
import { computeRatios, medianRatios, roundFigures, roundsNoise } from './compare.js'
import { procDelta, sampleProc } from './proc.js'
import { BENCH_RESULT_SCHEMA, machineInfo, mergeRuns, toRunFigures, type BenchResult, type RoundFigures, type RunFigures, type ScenarioResult } from './result.js'
import { runLoad } from './run.js'
import type { Scenario } from './scenario.js'
import { mockStats, startStack, type Stack } from './stack.js'
import { probeTtfb } from './ttfb.js'
import type { Progress } from '../ui/bench-progress.js'

/** One progress report of a run: the shape the live view draws (ui/bench-progress.tsx owns it). */
export type { Progress } from '../ui/bench-progress.js'

export interface SessionOptions {
  readonly scenarios: Scenario[]
  readonly connections: number
  readonly durationMs: number
  /** interleaved rounds per scenario (gateway run, direct run, ...); the gate reads their medians and spread */
  readonly rounds: number
  readonly target?: string
  readonly config?: string
  readonly signal: AbortSignal
  readonly onProgress?: (p: Progress) => void
}

/** Never throws for trouble during the runs: it records it in `errors`, marks the result interrupted and returns what ran. */
export async function runSession(o: SessionOptions): Promise<BenchResult> {
  const errors: string[] = []
  const results: ScenarioResult[] = []
  let stack: Stack | undefined
  let interrupted = false
  const result = (): BenchResult => ({
    schema: BENCH_RESULT_SCHEMA, llmgwVersion: packageVersion(), createdAt: new Date().toISOString(), machine: machineInfo(),
    mode: o.target ? 'target' : 'self-hosted', target: o.target === undefined ? null : redactUrl(o.target), config: o.config ?? null,
    connections: o.connections, durationMs: o.durationMs, rounds: o.rounds, interrupted, errors, scenarios: results,
  })
  try {
    if (!o.target) {
      o.onProgress?.({ scenario: '', side: 'starting', index: 0, total: o.scenarios.length, elapsedMs: 0, totalMs: 0, reqPerSec: 0 })
      stack = await startStack({ config: o.config, scenarios: o.scenarios })
    }
    const gwUrl = o.target ?? stack!.gateway.url
    for (const [i, s] of o.scenarios.entries()) {
      if (o.signal.aborted) { interrupted = true; break }
      const durationMs = s.durationMs ?? o.durationMs
      const connections = s.connections ?? o.connections
      let round = 0
      const tick = (side: Progress['side']) => (_n: number, elapsedMs: number, rps: number) =>
        o.onProgress?.({ scenario: s.name, side, index: i, total: o.scenarios.length, elapsedMs, totalMs: durationMs, reqPerSec: rps, round: round + 1, rounds: o.rounds })
      tick('gateway')(0, 0, 0)
      const skip = await probe(gwUrl, s)
      if (skip) { results.push(skipped(s, skip)); continue }
      // interleaved rounds: gateway, direct, gateway, direct... so both sides see the same drift of a busy machine
      const gwRuns: RunFigures[] = []
      const directRuns: RunFigures[] = []
      const rounds: RoundFigures[] = []
      let upstream: number | null = stack ? 0 : null
      let crashed: string | undefined
      for (; round < o.rounds; round++) {
        if (o.signal.aborted) break
        const warm = round === 0 && (durationMs >= WARMUP_FROM_MS || o.rounds > 1)
        if (warm) await warmUp(gwUrl, s, connections, o.signal)
        // the mock's count brackets the measured run only, not the warm-up
        const before = stack ? await mockStats(stack.mock.url) : undefined
        const gw = await measured(gwUrl, s, connections, durationMs, stack?.gateway, o.signal, tick('gateway'))
        const after = stack ? await mockStats(stack.mock.url) : undefined
        upstream = upstream !== null && before && after ? upstream + after.requests - before.requests : null
        gwRuns.push(gw.figures)
        let direct: RunFigures | null = null
        if (stack && !gw.crashed && !o.signal.aborted) {
          if (warm) await warmUp(stack.mock.url, s, connections, o.signal)
          direct = (await measured(stack.mock.url, s, connections, durationMs, stack.mock, o.signal, tick('direct'))).figures
          directRuns.push(direct)
        }
        if (!gw.figures.interrupted && !direct?.interrupted) rounds.push(roundFigures(gw.figures, direct))
        if (gw.crashed) { crashed = gw.crashed; break }
      }
      if (gwRuns.length === 0) { interrupted = true; break }
      const direct = directRuns.length > 0 ? mergeRuns(directRuns) : null
      const ratios = medianRatios(gwRuns.map((g, k) => computeRatios(g, directRuns[k] ?? null)))
      let ttfb: ScenarioResult['ttfb'] = null
      if (s.stream && !crashed && !o.signal.aborted) {
        tick('ttfb')(0, 0, 0)
        const g = await probeTtfb(gwUrl, s)
        const d = stack ? await probeTtfb(stack.mock.url, s) : undefined
        if (g) ttfb = { gateway: g, direct: d ?? null, addedFirstEventMs: d ? Math.round((g.firstEventMs - d.firstEventMs) * 1000) / 1000 : null }
      }
      results.push({
        name: s.name, file: s.file, stream: s.stream, skipped: null, gateway: mergeRuns(gwRuns), direct, ratios, ttfb,
        upstreamRequests: upstream, rounds, noise: roundsNoise(rounds),
      })
      if (crashed) { errors.push(crashed); interrupted = true; break }
      if (o.signal.aborted) { interrupted = true; break }
    }
  } catch (e) {
    errors.push((e as Error).message)
    interrupted = true
  } finally {
    await stack?.close()
  }
  return result()
}

const WARMUP_FROM_MS = 5000
/**
 * Warm-up: 1 s runs until this many requests, at most WARMUP_MAX_RUNS. On the busy 2-core machine a gateway served
 * ~2,000-4,000 requests a second there and cost 2-3x its later CPU per request for its first ~6,000.
 */
const WARMUP_REQUESTS = 10_000
const WARMUP_MAX_RUNS = 6

/** One request first: a target that is down or a scenario the gateway refuses is a clear message, not 10 s of errors. */
export async function probe(baseUrl: string, s: Scenario): Promise<string | undefined> {
  // undici, not fetch: fetch refuses "bad ports" (6000, 6665...) that a free-port pick can land on
  let res: Dispatcher.ResponseData
  try {
    res = await request(new URL(s.path, baseUrl), { method: s.method as 'POST', headers: s.headers, body: s.bodies[0], headersTimeout: 10_000, bodyTimeout: 10_000 })
  } catch (e) {
    throw new Error(`cannot reach ${baseUrl}: ${(e as { code?: string }).code ?? (e as Error).message}`)
  }
  const text = await res.body.text()
  if (s.requires.includes('cache') && res.headers['x-llmgw-cache'] === undefined) return 'needs the cache feature (the gateway sent no x-llmgw-cache header)'
  if (res.statusCode >= 300) {
    const hint = res.statusCode === 404 && text.includes('model_not_found') ? ' (use a scenario whose bodies name models of your spec: --scenario FILE)'
      : res.statusCode === 401 || res.statusCode === 403 ? ' (the spec wants a key: put an authorization header for one of its keys in the scenario)' : ''
    return `the gateway answered ${res.statusCode} to the first request: ${text.slice(0, 200)}${hint}`
  }
  return undefined
}

async function measured(url: string, s: Scenario, connections: number, durationMs: number, proc: Child | undefined, signal: AbortSignal, onTick: (n: number, e: number, r: number) => void): Promise<{ figures: RunFigures; crashed?: string }> {
  const ac = new AbortController()
  const stop = (): void => ac.abort()
  signal.addEventListener('abort', stop, { once: true })
  let crashed: string | undefined
  void proc?.exited.then((code) => { crashed = `${proc.name} exited (${code}) during ${s.name}:\n${proc.tail()}`; ac.abort() })
  try {
    const before = proc ? sampleProc(proc.pid) : undefined
    const load = await runLoad({ baseUrl: url, scenario: s, connections, durationMs, signal: ac.signal, onTick })
    const after = proc ? sampleProc(proc.pid) : undefined
    return { figures: toRunFigures(load, procDelta(before, after)), crashed }
  } finally {
    signal.removeEventListener('abort', stop)
  }
}

/**
 * JIT, pools and connections warm up before the first measured run; one short run (CI smoke, tests) skips it. By
 * requests, not seconds: V8 optimizes after so many calls, and a busy machine gets through fewer per second.
 */
async function warmUp(url: string, s: Scenario, connections: number, signal: AbortSignal): Promise<void> {
  for (let n = 0, k = 0; n < WARMUP_REQUESTS && k < WARMUP_MAX_RUNS && !signal.aborted; k++) {
    const r = await runLoad({ baseUrl: url, scenario: s, connections, durationMs: 1000, signal })
    if (r.requests === 0) return
    n += r.requests
  }
}

function skipped(s: Scenario, reason: string): ScenarioResult {
  return { name: s.name, file: s.file, stream: s.stream, skipped: reason, gateway: null, direct: null, ratios: null, ttfb: null, upstreamRequests: null, rounds: [], noise: null }
}
