/** Per-client-IP rpm (SPEC §3 limits.perIp): GCRA windows in a fixed-size table, so memory is bounded for any number of IPs. */
import { then } from '../core/sync.js'
import type { LimitsConfig } from './access-config.js'
import { quiet, NOOP_END, refusal, type AdmissionStep } from './admission.js'
import type { LimitDeps } from './key-limit.js'

const IP_RANK = 2

export function compileIpLimit(limits: LimitsConfig | undefined, deps: LimitDeps): AdmissionStep | null {
  const rpm = limits?.perIp?.rpm
  if (rpm === undefined) return null
  const w = deps.store.keyedRate(`ip:rpm:${rpm}`, rpm, 60_000)
  const limitText = String(rpm)
  const onRejected = deps.onRejected
  const message = `rate limit of ${rpm} requests per minute per client address reached`
  return (cx, a) => {
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
  }
}
