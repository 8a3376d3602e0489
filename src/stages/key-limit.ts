/** Per-key rpm and tpm (SPEC §3 keys[].limits, §7): GCRA windows; tpm reserves at admission and settles real usage. */
import type { CallEnd } from '../core/pipeline.js'
import type { GatewayError } from '../core/errors.js'
import { isPromise } from '../core/sync.js'
import type { RateVerdict, Store } from '../state/types.js'
import type { KeyConfig } from './access-config.js'
import { NOOP_END, quiet, refusal, requestsDecision, type Admission, type AdmissionStep, type Hold, type OnRejected } from './admission.js'

export interface LimitDeps {
  readonly store: Store
  readonly onRejected?: OnRejected
}

const MINUTE_MS = 60_000
/** Rank of the key's rpm among request windows: the most specific one fills x-ratelimit-*-requests. */
export const KEY_RANK = 3

/** The key's rpm and tpm steps (each absent when unset), compiled against identities that survive reloads. */
export function compileKeyLimit(key: KeyConfig, deps: LimitDeps): AdmissionStep[] {
  const steps: AdmissionStep[] = []
  const rpm = key.limits?.rpm
  const tpm = key.limits?.tpm
  const onRejected = deps.onRejected
  if (rpm !== undefined) {
    const w = deps.store.rate(`key:${key.id}:rpm:${rpm}`, rpm, MINUTE_MS)
    const limitText = String(rpm)
    const message = `key ${key.id}: rate limit of ${rpm} requests per minute reached`
    // The hold does not depend on the request: one object for every admitted call.
    const hold: Hold = { undo: (now) => quiet(w.settle(-1, now)), end: NOOP_END }
    const decide = requestsDecision('key', message, limitText, hold, KEY_RANK, onRejected)
    // HOT PATH: the sync (memory/shared store) case allocates no continuation.
    steps.push((_cx, a) => {
      const v = w.take(1, a.now)
      return isPromise(v) ? v.then((r) => decide(r, a)) : decide(v, a)
    })
  }
  if (tpm !== undefined) {
    const w = deps.store.rate(`key:${key.id}:tpm:${tpm}`, tpm, MINUTE_MS)
    const limitText = String(tpm)
    // One hold for every admitted call: the reservation it settles is the admission's (a.reserved).
    const hold: Hold = {
      undo: (now, a) => quiet(w.settle(-a.reserved, now)),
      end: (e, now, a) => {
        const delta = actualTokens(e, a.reserved) - a.reserved
        if (delta !== 0) quiet(w.settle(delta, now))
      },
    }
    const decide = (v: RateVerdict, a: Admission): GatewayError | undefined => {
      if (!v.ok) {
        onRejected?.('key')
        const reserved = a.reserved
        const why = reserved > tpm ? `request needs ~${reserved} tokens (prompt + max_tokens, 1024 when absent), more than the limit of ${tpm} per minute: it cannot pass as it is; lower max_tokens` : `token limit of ${tpm} per minute reached`
        return refusal('rate_limit_exceeded', `key ${key.id}: ${why}`, v.retryAfterMs, { family: 'tokens', limitText, v })
      }
      a.holds.push(hold)
      a.tokens = { v, limitText }
      return undefined
    }
    // HOT PATH: as for rpm, nothing allocated here in the sync case but the verdict and the header record.
    steps.push((cx, a) => {
      const v = w.take((a.reserved = cx.reservedTokens()), a.now)
      return isPromise(v) ? v.then((r) => decide(r, a)) : decide(v, a)
    })
  }
  return steps
}

/**
 * What the call really used: the upstream's (or counted) usage. Without usage, a failed call used nothing, while a
 * successful one keeps its reservation: a success is never settled down to zero tokens.
 */
export function actualTokens(e: CallEnd, reserved: number): number {
  if (e.usage) return e.usage.total_tokens
  return e.status >= 400 ? 0 : reserved
}
