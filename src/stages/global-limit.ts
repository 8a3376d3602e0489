/** Gateway-wide requests per second (SPEC §3 limits.global.rps): one GCRA window shared by every caller and worker. */
import { then } from '../core/sync.js'
import type { LimitsConfig } from './access-config.js'
import { quiet, NOOP_END, refusal, type AdmissionStep, type Hold } from './admission.js'
import type { LimitDeps } from './key-limit.js'

const GLOBAL_RANK = 1

export function compileGlobalLimit(limits: LimitsConfig | undefined, deps: LimitDeps): AdmissionStep | null {
  const rps = limits?.global?.rps
  if (rps === undefined) return null
  const w = deps.store.rate(`global:rps:${rps}`, rps, 1000)
  const limitText = String(rps)
  const onRejected = deps.onRejected
  const message = `the gateway's limit of ${rps} requests per second is reached`
  const hold: Hold = { undo: (now) => quiet(w.settle(-1, now)), end: NOOP_END }
  return (_cx, a) =>
    then(w.take(1, a.now), (v) => {
      if (!v.ok) {
        onRejected?.('global')
        return refusal('rate_limit_exceeded', message, v.retryAfterMs, { family: 'requests', limitText, v })
      }
      a.holds.push(hold)
      if (!a.requests) a.requests = { v, limitText, rank: GLOBAL_RANK }
      return undefined
    })
}
