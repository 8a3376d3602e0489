/** Per-client-IP rpm, tpm and concurrency (SPEC §3 limits.perIp): entries in a fixed-size table, bounded for any number of IPs. */
import { then } from '../core/sync.js'
import type { LimitsConfig } from './access-config.js'
import { quiet, NOOP_END, refusal, type AdmissionStep } from './admission.js'
import type { LimitDeps } from './key-limit.js'
import { actualTokens } from './key-limit.js'

const IP_RANK = 2
const MINUTE_MS = 60_000

/** The per-IP steps in order rpm, tpm, concurrency; each absent when unset. */
export function compileIpLimit(limits: LimitsConfig | undefined, deps: LimitDeps): AdmissionStep[] {
  const perIp = limits?.perIp
  const onRejected = deps.onRejected
  const steps: AdmissionStep[] = []
  if (perIp?.rpm !== undefined) {
    const rpm = perIp.rpm
    const w = deps.store.keyedRate(`ip:rpm:${rpm}`, rpm, MINUTE_MS)
    const limitText = String(rpm)
    const message = `rate limit of ${rpm} requests per minute per client address reached`
    steps.push((cx, a) => {
      const ip = cx.ex.ip
      return then(w.take(ip, 1, a.now), (v) => {
        if (!v.ok) {
          onRejected?.('ip')
          return refusal('rate_limit_exceeded', message, v.retryAfterMs, { family: 'requests', limitText, v })
        }
        a.holds.push({ undo: (now) => quiet(w.settle(ip, -1, now)), end: NOOP_END })
        if (!a.requests || a.requests.rank < IP_RANK) a.requests = { v, limitText, rank: IP_RANK }
        return undefined
      })
    })
  }
  if (perIp?.tpm !== undefined) {
    const tpm = perIp.tpm
    const w = deps.store.keyedRate(`ip:tpm:${tpm}`, tpm, MINUTE_MS)
    const limitText = String(tpm)
    const message = `token limit of ${tpm} per minute per client address reached`
    steps.push((cx, a) => {
      const ip = cx.ex.ip
      const reserved = cx.reservedTokens()
      return then(w.take(ip, reserved, a.now), (v) => {
        if (!v.ok) {
          onRejected?.('ip')
          return refusal('rate_limit_exceeded', message, v.retryAfterMs, { family: 'tokens', limitText, v })
        }
        a.holds.push({
          undo: (now) => quiet(w.settle(ip, -reserved, now)),
          end: (e, now) => {
            const delta = actualTokens(e, reserved) - reserved
            if (delta !== 0) quiet(w.settle(ip, delta, now))
          },
        })
        if (!a.tokens) a.tokens = { v, limitText }
        return undefined
      })
    })
  }
  if (perIp?.concurrency !== undefined) {
    const limit = perIp.concurrency
    const g = deps.store.keyedGauge(`ip:concurrency:${limit}`, limit)
    const message = `concurrency limit of ${limit} requests per client address reached`
    steps.push((cx, a) => {
      const ip = cx.ex.ip
      return then(g.acquire(ip, a.now), (ok) => {
        if (!ok) {
          onRejected?.('ip')
          return refusal('rate_limit_exceeded', message, 1000)
        }
        const release = (now: number): void => quiet(g.release(ip, now))
        a.holds.push({ undo: release, end: (_e, now) => release(now) })
        return undefined
      })
    })
  }
  return steps
}
