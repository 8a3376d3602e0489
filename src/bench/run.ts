/** One load run with autocannon's programmatic API, bounded in time and request count, loopback only (SPEC §2 `bench`). */
import autocannon from 'autocannon'
import type { Scenario } from './scenario.js'

export interface LoadOptions {
  readonly baseUrl: string
  readonly scenario: Scenario
  readonly connections: number
  readonly durationMs: number
  /** Extra headers (e.g. an API key for the gateway side only). */
  readonly headers?: Record<string, string>
  /** Called about once a second with the requests completed so far. */
  readonly onTick?: (completed: number, elapsedMs: number, perSecond: number) => void
  readonly signal?: AbortSignal
}

export interface LoadResult {
  readonly requests: number
  readonly reqPerSec: number
  readonly latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number }
  readonly errors: number
  readonly timeouts: number
  readonly non2xx: number
  readonly statusCodes: Record<string, number>
  readonly bytesPerSec: number
  readonly durationSec: number
  /** Stopped early (Ctrl-C, target crash): the figures cover what ran. */
  readonly interrupted: boolean
}

// Upper bound on requests per run: a run ends on duration or this cap, whichever first, so no loop is unbounded.
const MAX_REQUESTS_PER_SECOND = 200_000

export class NotLoopbackError extends Error {}

/** Load goes to this machine only: a bench must never hammer a remote host by accident. */
export function assertLoopback(url: string): URL {
  let u: URL
  try {
    u = new URL(url)
  } catch {
    throw new NotLoopbackError(`not a URL: ${url}`)
  }
  if (u.protocol !== 'http:') throw new NotLoopbackError(`only http:// targets are supported, got ${u.protocol}//`)
  const h = u.hostname
  if (!(h === 'localhost' || h === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(h))) {
    throw new NotLoopbackError(`bench loads loopback targets only (127.0.0.1, ::1, localhost), got ${h}`)
  }
  return u
}

export function runLoad(o: LoadOptions): Promise<LoadResult> {
  const base = assertLoopback(o.baseUrl)
  const s = o.scenario
  const headers = { ...s.headers, ...o.headers }
  const requests = s.bodies.length > 1 ? s.bodies.map((body) => ({ method: s.method as 'POST', path: s.path, headers, body })) : undefined
  const seconds = Math.max(1, Math.ceil(o.durationMs / 1000))
  const started = Date.now()
  return new Promise<LoadResult>((resolve, reject) => {
    let interrupted = false
    const inst = autocannon(
      {
        url: new URL(s.path, base).toString(),
        method: s.method as 'POST',
        headers,
        body: s.bodies[0],
        requests,
        connections: o.connections,
        duration: seconds,
        maxOverallRequests: seconds * MAX_REQUESTS_PER_SECOND,
        timeout: 30,
      },
      (err, r) => {
        clearTimeout(watchdog)
        o.signal?.removeEventListener('abort', onAbort)
        if (err) return reject(err instanceof Error ? err : new Error(String(err)))
        resolve(toLoadResult(r, interrupted))
      },
    )
    const stop = (): void => { interrupted = true; inst.stop() }
    const onAbort = (): void => stop()
    o.signal?.addEventListener('abort', onAbort, { once: true })
    if (o.signal?.aborted) stop()
    // autocannon ends on its own; this only guards against a target that never answers the last requests
    const watchdog = setTimeout(stop, o.durationMs + 40_000)
    let completed = 0
    // the typings omit tick's argument; autocannon passes { counter, bytes } for the last second
    ;(inst as unknown as NodeJS.EventEmitter).on('tick', (c: { counter: number }) => {
      completed += c.counter
      o.onTick?.(completed, Date.now() - started, c.counter)
    })
  })
}

function toLoadResult(r: autocannon.Result, interrupted: boolean): LoadResult {
  const codes: Record<string, number> = {}
  for (const [k, v] of Object.entries(r.statusCodeStats ?? {})) codes[k] = v.count ?? 0
  const d = r.duration > 0 ? r.duration : 1
  const total = r['1xx'] + r['2xx'] + r['3xx'] + r['4xx'] + r['5xx']
  return {
    requests: total,
    reqPerSec: round(total / d, 1),
    latencyMs: { p50: r.latency.p50, p90: r.latency.p90, p99: r.latency.p99, max: r.latency.max, mean: round(r.latency.mean, 3) },
    errors: r.errors,
    timeouts: r.timeouts,
    non2xx: r.non2xx,
    statusCodes: codes,
    bytesPerSec: round(r.throughput.total / d, 0),
    durationSec: round(r.duration, 3),
    interrupted,
  }
}

const round = (x: number, d: number): number => Math.round(x * 10 ** d) / 10 ** d
