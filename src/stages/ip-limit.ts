/** Per-client-IP rpm, tpm and concurrency (SPEC §3 limits.perIp): entries in a fixed-size table, bounded for any number of IPs. */
import type { GatewayError } from '../core/errors.js'
import { isPromise } from '../core/sync.js'
import type { RateVerdict } from '../state/types.js'
import type { LimitsConfig } from './access-config.js'
import { quiet, NOOP_END, refusal, requestsDecision, type Admission, type AdmissionStep, type Hold } from './admission.js'
import type { LimitDeps } from './key-limit.js'
import { actualTokens } from './key-limit.js'

const IP_RANK = 2
const MINUTE_MS = 60_000

/**
 * The per-IP steps in order rpm, tpm, concurrency; each absent when unset. HOT PATH: each step's decision and hold
 * are built here once; the hold reads the client address (a.cx.ex.ip) and the reservation (a.reserved) from the
 * admission, so an admitted call allocates no hold or closure.
 */
export function compileIpLimit(limits: LimitsConfig | undefined, deps: LimitDeps): AdmissionStep[] {
  const perIp = limits?.perIp
  const onRejected = deps.onRejected
  const steps: AdmissionStep[] = []
  if (perIp?.rpm !== undefined) {
    const rpm = perIp.rpm
    const w = deps.store.keyedRate(`ip:rpm:${rpm}`, rpm, MINUTE_MS)
    const limitText = String(rpm)
    const message = `rate limit of ${rpm} requests per minute per client address reached`
    const hold: Hold = { undo: (now, a) => quiet(w.settle(a.cx.ex.ip, -1, now)), end: NOOP_END }
    const decide = requestsDecision('ip', message, limitText, hold, IP_RANK, onRejected)
    steps.push((cx, a) => {
      const v = w.take(cx.ex.ip, 1, a.now)
      return isPromise(v) ? v.then((r) => decide(r, a)) : decide(v, a)
    })
  }
  if (perIp?.tpm !== undefined) {
    const tpm = perIp.tpm
    const w = deps.store.keyedRate(`ip:tpm:${tpm}`, tpm, MINUTE_MS)
    const limitText = String(tpm)
    const message = `token limit of ${tpm} per minute per client address reached`
    const hold: Hold = {
      undo: (now, a) => quiet(w.settle(a.cx.ex.ip, -a.reserved, now)),
      end: (e, now, a) => {
        const delta = actualTokens(e, a.reserved) - a.reserved
        if (delta !== 0) quiet(w.settle(a.cx.ex.ip, delta, now))
      },
    }
    const decide = (v: RateVerdict, a: Admission): GatewayError | undefined => {
      if (!v.ok) {
        onRejected?.('ip')
        return refusal('rate_limit_exceeded', message, v.retryAfterMs, { family: 'tokens', limitText, v })
      }
      a.holds.push(hold)
      if (!a.tokens) a.tokens = { v, limitText }
      return undefined
    }
    steps.push((cx, a) => {
      const v = w.take(cx.ex.ip, (a.reserved = cx.reservedTokens()), a.now)
      return isPromise(v) ? v.then((r) => decide(r, a)) : decide(v, a)
    })
  }
  if (perIp?.concurrency !== undefined) {
    const limit = perIp.concurrency
    const g = deps.store.keyedGauge(`ip:concurrency:${limit}`, limit)
    const message = `concurrency limit of ${limit} requests per client address reached`
    const hold: Hold = {
      undo: (now, a) => quiet(g.release(a.cx.ex.ip, now)),
      end: (_e, now, a) => quiet(g.release(a.cx.ex.ip, now)),
    }
    const decide = (ok: boolean, a: Admission): GatewayError | undefined => {
      if (!ok) {
        onRejected?.('ip')
        return refusal('rate_limit_exceeded', message, 1000)
      }
      a.holds.push(hold)
      return undefined
    }
    steps.push((cx, a) => {
      const ok = g.acquire(cx.ex.ip, a.now)
      return isPromise(ok) ? ok.then((r) => decide(r, a)) : decide(ok, a)
    })
  }
  return steps
}
