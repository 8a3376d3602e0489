/** The admission protocol shared by the limit stages: ordered steps that reserve, roll back on refusal, settle at the end (SPEC §7). */
import type { CallContext, CallEnd } from '../core/pipeline.js'
import type { HeaderPairs, MaybePromise } from '../core/types.js'
import { GatewayError } from '../core/errors.js'
import type { ErrorCode } from '../core/error-codes.js'
import { isPromise } from '../core/sync.js'
import type { RateVerdict } from '../state/types.js'
import { pushRateHeaders, retryAfterSeconds, RETRY_AFTER, type HeaderFamily } from './ratelimit-headers.js'

/** Which limit refused, for llmgw_ratelimit_rejections_total{scope}. */
export type RejectScope = 'key' | 'ip' | 'global' | 'concurrency' | 'budget'

/**
 * A reservation a step made: undone if a later step refuses, settled once when the call ends. Both get the
 * admission, so a step's hold can be one object built at compile time that reads the request's values from it
 * (HOT PATH: no hold object or closures allocated per request).
 */
export interface Hold {
  undo(now: number, a: Admission): void
  end(e: CallEnd, now: number, a: Admission): void
}

/**
 * Per-request scratch, one object: the holds taken so far and the verdicts that feed the success headers.
 * `requests` keeps the most specific request window (key rpm over per-IP rpm over global rps): OpenAI's header
 * set has room for one.
 */
export interface Admission {
  /** Epoch ms, read once for every window this admission touches. */
  readonly now: number
  /** The call being admitted (holds read its client address from here). */
  readonly cx: CallContext
  readonly holds: Hold[]
  /** cx.reservedTokens() as the token windows took it (their holds settle against it); 0 before any did. */
  reserved: number
  requests: { v: RateVerdict; limitText: string; rank: number } | undefined
  tokens: { v: RateVerdict; limitText: string } | undefined
}

/** One check. Returns a refusal, or undefined after recording its hold in `a`. Sync with the memory stores. */
export type AdmissionStep = (cx: CallContext, a: Admission) => MaybePromise<GatewayError | undefined>

export type OnRejected = (scope: RejectScope) => void

/** Run steps[from..] in order without a microtask unless a step returned a promise (redis). */
export function runSteps(steps: readonly AdmissionStep[], from: number, cx: CallContext, a: Admission): MaybePromise<GatewayError | undefined> {
  for (let i = from; i < steps.length; i++) {
    const r = steps[i]!(cx, a)
    // A step that fails (the store is unavailable: 503) releases what earlier steps hold, like a refusal.
    if (isPromise(r)) return r.then((err) => (err ? err : runSteps(steps, i + 1, cx, a)), (e: unknown) => rollback(a, e as GatewayError))
    if (r) return r
  }
  return undefined
}

/** Success: headers for the windows that applied, and one onEnd that settles every hold. */
export function commit(cx: CallContext, a: Admission, clock: () => number): void {
  if (a.requests) pushRateHeaders(cx.headers as Array<[string, string]>, 'requests', a.requests.limitText, a.requests.v)
  if (a.tokens) pushRateHeaders(cx.headers as Array<[string, string]>, 'tokens', a.tokens.limitText, a.tokens.v)
  const holds = a.holds
  // HOT PATH: request windows (rpm, rps) settle nothing at the end; when every hold is like that, no end callback,
  // no closure and no clock read at the end of the call.
  let i = 0
  while (i < holds.length && holds[i]!.end === NOOP_END) i++
  if (i === holds.length) return
  cx.onEnd((e) => {
    const now = clock()
    for (let i = 0; i < holds.length; i++) holds[i]!.end(e, now, a)
  })
}

/** Refusal: release what earlier steps reserved (latest first), then throw. */
export function rollback(a: Admission, err: GatewayError): never {
  for (let i = a.holds.length - 1; i >= 0; i--) a.holds[i]!.undo(a.now, a)
  throw err
}

/** A 429 with retry-after and, for a rate window, its x-ratelimit-* headers showing 0 remaining. */
export function refusal(code: ErrorCode, message: string, retryAfterMs: number, rate?: { family: HeaderFamily; limitText: string; v: RateVerdict }): GatewayError {
  const headers: Array<[string, string]> = [[RETRY_AFTER, retryAfterSeconds(retryAfterMs)]]
  if (rate) pushRateHeaders(headers, rate.family, rate.limitText, rate.v)
  return new GatewayError(code, message, { headers: headers as HeaderPairs })
}

/** Settle calls are fire-and-forget: a redis hiccup while settling must not fail a finished request. */
export function quiet(r: MaybePromise<void>): void {
  if (isPromise(r)) r.catch(() => {})
}

export const NOOP_END = (): void => {}

export function newAdmission(now: number, cx: CallContext): Admission {
  return { now, cx, holds: [], reserved: 0, requests: undefined, tokens: undefined }
}

/**
 * The decision of a requests window (key rpm, per-IP rpm): refuse with its message, or hold the call and let the most
 * specific window (highest rank) fill the x-ratelimit-*-requests headers. Built once per compiled limit.
 */
export function requestsDecision(
  scope: RejectScope,
  message: string,
  limitText: string,
  hold: Hold,
  rank: number,
  onRejected: OnRejected | undefined,
): (v: RateVerdict, a: Admission) => GatewayError | undefined {
  return (v, a) => {
    if (!v.ok) {
      onRejected?.(scope)
      return refusal('rate_limit_exceeded', message, v.retryAfterMs, { family: 'requests', limitText, v })
    }
    a.holds.push(hold)
    if (!a.requests || a.requests.rank < rank) a.requests = { v, limitText, rank }
    return undefined
  }
}
