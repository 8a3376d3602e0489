/** The limit-state store interface (SPEC §3 state, §7): rate windows, concurrency gauges, budget accumulators. */
import type { MaybePromise } from '../core/types.js'

/**
 * The verdict of one rate-window operation. Times are relative to the call, in ms.
 * `remaining` is what could still be taken right now; `resetMs` is how long until the window is full again
 * (OpenAI's x-ratelimit-reset-*); `retryAfterMs` is how long until a refused take would fit (0 when ok).
 */
export interface RateVerdict {
  readonly ok: boolean
  readonly limit: number
  readonly remaining: number
  readonly resetMs: number
  readonly retryAfterMs: number
}

/**
 * A GCRA window: `limit` units per `periodMs`, bursts up to `limit`. Used for rpm, rps, per-IP rpm and tpm.
 * take(n) reserves n units or refuses (and then changes nothing). settle(delta) adjusts a past take by
 * (actual - reserved): positive charges more and may push the window into debt (later takes wait it out),
 * negative refunds, never beyond an empty window.
 */
export interface RateWindow {
  readonly limit: number
  readonly periodMs: number
  take(n: number, now?: number): MaybePromise<RateVerdict>
  settle(delta: number, now?: number): MaybePromise<void>
}

/** Rate windows for unbounded populations (client IPs): bounded memory, idle entries are recycled. */
export interface KeyedRateWindow {
  readonly limit: number
  readonly periodMs: number
  take(key: string, n: number, now?: number): MaybePromise<RateVerdict>
  settle(key: string, delta: number, now?: number): MaybePromise<void>
}

/** A concurrency gauge: acquire() admits while fewer than `limit` are held; release() once per admitted acquire. */
export interface Gauge {
  readonly limit: number
  acquire(): MaybePromise<boolean>
  release(): MaybePromise<void>
  /** Currently held (for tests and /admin). */
  held(): MaybePromise<number>
}

/** Concurrency gauges for unbounded populations (client IPs): entries are recycled only while nothing is held. */
export interface KeyedGauge {
  readonly limit: number
  acquire(key: string, now?: number): MaybePromise<boolean>
  release(key: string, now?: number): MaybePromise<void>
}

export type BudgetPeriod = 'day' | 'month' | 'total'

export interface BudgetVerdict {
  readonly ok: boolean
  readonly limitUsd: number
  /** Spent (including reservations) in the current window after this call. */
  readonly spentUsd: number
  /** ms until the window rolls over (UTC calendar); Infinity for 'total'. */
  readonly resetMs: number
  /** Identifies the window the reservation went to, so settle() can tell whether it rolled over. */
  readonly window: number
}

/** A spend accumulator per UTC calendar window. reserve() refuses when spent + usd would exceed the limit. */
export interface BudgetMeter {
  readonly limitUsd: number
  readonly period: BudgetPeriod
  reserve(usd: number, now?: number): MaybePromise<BudgetVerdict>
  /** Adjust a reservation made in `window` by delta; if the window has rolled over, charge `actualUsd` to the new one. */
  settle(window: number, deltaUsd: number, actualUsd: number, now?: number): MaybePromise<void>
  spent(): MaybePromise<number>
}

/*
 * `now` (epoch ms) is optional everywhere: an admission reads the clock once and passes it to each window, because
 * a clock read is not free (300-500 ns per Date.now() on a sandboxed VM, bench/limits/README.md). Stores whose
 * time lives elsewhere (redis) ignore it.
 */

/**
 * Where limit state lives. Each method is called at compile time with a stable identity (what the entity is and its
 * configuration, e.g. `rpm:team-a:600`): the same identity returns the same state, so state carries over reloads
 * (SPEC §6) and, in the shared store, across worker threads. Nothing here is called with config on the hot path.
 */
export interface Store {
  readonly kind: 'memory' | 'shared' | 'redis'
  rate(identity: string, limit: number, periodMs: number): RateWindow
  keyedRate(identity: string, limit: number, periodMs: number): KeyedRateWindow
  keyedGauge(identity: string, limit: number): KeyedGauge
  gauge(identity: string, limit: number): Gauge
  budget(identity: string, limitUsd: number, period: BudgetPeriod): BudgetMeter
}

/** Milliseconds since the epoch; the same clock in every worker thread (performance.now() is per thread). */
export type Clock = () => number
