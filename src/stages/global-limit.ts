/** Gateway-wide rps and concurrency (SPEC §3 limits.global): one window and one gauge shared by every caller and worker. */
import { then } from '../core/sync.js'
import type { LimitsConfig } from './access-config.js'
import { quiet, NOOP_END, refusal, type AdmissionStep, type Hold } from './admission.js'
import type { LimitDeps } from './key-limit.js'

const GLOBAL_RANK = 1

export function compileGlobalLimit(limits: LimitsConfig | undefined, deps: LimitDeps): AdmissionStep[] {
  const global = limits?.global
  const onRejected = deps.onRejected
  const steps: AdmissionStep[] = []
  if (global?.rps !== undefined) {
    const rps = global.rps
    const w = deps.store.rate(`global:rps:${rps}`, rps, 1000)
    const limitText = String(rps)
    const message = `the gateway's limit of ${rps} requests per second is reached`
    const hold: Hold = { undo: (now) => quiet(w.settle(-1, now)), end: NOOP_END }
    steps.push((_cx, a) =>
      then(w.take(1, a.now), (v) => {
        if (!v.ok) {
          onRejected?.('global')
          return refusal('rate_limit_exceeded', message, v.retryAfterMs, { family: 'requests', limitText, v })
        }
        a.holds.push(hold)
        if (!a.requests) a.requests = { v, limitText, rank: GLOBAL_RANK }
        return undefined
      }),
    )
  }
  if (global?.concurrency !== undefined) {
    const limit = global.concurrency
    const g = deps.store.gauge(`global:concurrency:${limit}`, limit)
    const message = `the gateway's limit of ${limit} concurrent requests is reached`
    const release = (): void => quiet(g.release())
    const hold: Hold = { undo: release, end: release }
    steps.push((_cx, a) =>
      then(g.acquire(), (ok) => {
        if (!ok) {
          onRejected?.('global')
          return refusal('rate_limit_exceeded', message, 1000)
        }
        a.holds.push(hold)
        return undefined
      }),
    )
  }
  return steps
}
