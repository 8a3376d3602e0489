/** Rolling stats for the `serve` dashboard (SPEC §2): fed by onEnd, read at most a few times a second. */
import type { RequestObserver, RequestRecord } from '../core/pipeline.js'
import { BUCKETS, bucketOf, quantileOf } from './latency-buckets.js'
import type { BreakerState } from './metrics.js'

export interface ProviderState {
  readonly name: string
  readonly breaker: BreakerState
  readonly queueDepth: number
  readonly inflight: number
}

export interface ModelRow {
  readonly name: string
  readonly requestsPerSec: number
  readonly p99Ms: number
  readonly tokensPerSec: number
  /** Since start (not windowed). */
  readonly costUsd: number
}

export interface ErrorRow {
  readonly time: number
  readonly requestId: string
  readonly status: number
  readonly code: string | undefined
  readonly model: string | undefined
  readonly path: string
}

export interface ReloadState {
  readonly result: 'ok' | 'error'
  readonly at: number
  readonly message: string | undefined
}

export interface DashboardData {
  readonly listenUrl: string
  readonly specFile: string | undefined
  readonly version: string
  readonly lastReload: ReloadState | undefined
  readonly uptimeMs: number
  readonly totalRequests: number
  readonly requestsPerSec: number
  readonly p50Ms: number
  readonly p99Ms: number
  /** Share of the window's requests that ended 5xx. */
  readonly errorRate: number
  /** Share that ended 4xx (auth, limits, bad input). */
  readonly clientErrorRate: number
  readonly inflight: number
  readonly models: readonly ModelRow[]
  readonly providers: readonly ProviderState[]
  /** Newest first. */
  readonly errors: readonly ErrorRow[]
}

export interface SnapshotOptions {
  readonly models: readonly string[]
  readonly listenUrl?: string
  readonly specFile?: string
  readonly version?: string
  readonly providerStates?: () => readonly ProviderState[]
  /** Rolling window in seconds (default 10). */
  readonly windowSec?: number
  /** Errors kept for the "last errors" list (default 8). */
  readonly lastErrors?: number
  /** Clock in ms (tests). */
  readonly now?: () => number
}

export interface Snapshot extends RequestObserver {
  read(): DashboardData
  setListen(url: string): void
  setVersion(version: string, specFile?: string): void
  setReload(result: 'ok' | 'error', message?: string): void
  /** After a reload: rows for new models; kept models keep their history. */
  updateModels(models: readonly string[]): void
}

/** One second of one model (or of everything). */
class Slot {
  sec = -1
  count = 0
  errors = 0
  clientErrors = 0
  tokens = 0
  readonly latency = new Uint32Array(BUCKETS)
  reset(sec: number): void {
    this.sec = sec
    this.count = this.errors = this.clientErrors = this.tokens = 0
    this.latency.fill(0)
  }
}

class Series {
  readonly slots: Slot[]
  costUsd = 0
  constructor(readonly name: string, size: number) {
    this.slots = Array.from({ length: size }, () => new Slot())
  }
  // HOT PATH: integer math and one typed-array increment.
  add(sec: number, r: RequestRecord, bucket: number): void {
    const s = this.slots[sec % this.slots.length]!
    if (s.sec !== sec) s.reset(sec)
    s.count++
    if (r.status >= 500) s.errors++
    else if (r.status >= 400) s.clientErrors++
    s.tokens += r.promptTokens + r.completionTokens
    s.latency[bucket]!++
    this.costUsd += r.costUsd
  }
  live(nowSec: number): Slot[] {
    return this.slots.filter((s) => s.sec > nowSec - this.slots.length && s.sec <= nowSec)
  }
}

const sum = (slots: readonly Slot[], f: (s: Slot) => number): number => slots.reduce((n, s) => n + f(s), 0)

export function createSnapshot(opts: SnapshotOptions): Snapshot {
  const now = opts.now ?? Date.now
  const windowSec = opts.windowSec ?? 10
  const maxErrors = opts.lastErrors ?? 8
  const started = now()
  const all = new Series('*', windowSec)
  const unknown = new Series('unknown', windowSec)
  let models = new Map(opts.models.map((m) => [m, new Series(m, windowSec)]))
  const errors: ErrorRow[] = []
  let total = 0
  let inflight = 0
  let listenUrl = opts.listenUrl ?? ''
  let specFile = opts.specFile
  let version = opts.version ?? ''
  let lastReload: ReloadState | undefined

  return {
    onStart() {
      inflight++
    },
    onEnd(r) {
      inflight--
      total++
      const sec = Math.floor(now() / 1000)
      const bucket = bucketOf(r.latencyMs)
      all.add(sec, r, bucket)
      ;((r.model !== undefined && models.get(r.model)) || unknown).add(sec, r, bucket)
      if (r.status >= 400) {
        if (errors.length >= maxErrors) errors.pop()
        errors.unshift({ time: r.time, requestId: r.requestId, status: r.status, code: r.errorCode, model: r.model ?? r.modelAsked, path: r.path })
      }
    },
    read() {
      const t = now()
      const nowSec = Math.floor(t / 1000)
      // The window's length so far: a partly elapsed current second, and never more than the uptime.
      const spanSec = Math.max(0.001, Math.min(windowSec - 1 + (t % 1000) / 1000, (t - started) / 1000))
      const live = all.live(nowSec)
      const count = sum(live, (s) => s.count)
      const rows = [...models.values(), unknown].flatMap((m): ModelRow[] => {
        const l = m.live(nowSec)
        if (m === unknown && l.length === 0 && m.costUsd === 0) return []
        return [{
          name: m.name,
          requestsPerSec: sum(l, (s) => s.count) / spanSec,
          p99Ms: quantileOf(l.map((s) => s.latency), 0.99),
          tokensPerSec: sum(l, (s) => s.tokens) / spanSec,
          costUsd: m.costUsd,
        }]
      })
      return {
        listenUrl,
        specFile,
        version,
        lastReload,
        uptimeMs: t - started,
        totalRequests: total,
        requestsPerSec: count / spanSec,
        p50Ms: quantileOf(live.map((s) => s.latency), 0.5),
        p99Ms: quantileOf(live.map((s) => s.latency), 0.99),
        errorRate: count === 0 ? 0 : sum(live, (s) => s.errors) / count,
        clientErrorRate: count === 0 ? 0 : sum(live, (s) => s.clientErrors) / count,
        inflight,
        models: rows,
        providers: opts.providerStates?.() ?? [],
        errors: [...errors],
      }
    },
    setListen(url) {
      listenUrl = url
    },
    setVersion(v, file) {
      version = v
      if (file !== undefined) specFile = file
    },
    setReload(result, message) {
      lastReload = { result, at: now(), message }
    },
    updateModels(next) {
      models = new Map(next.map((m) => [m, models.get(m) ?? new Series(m, windowSec)]))
    },
  }
}
