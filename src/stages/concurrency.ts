/** Per-key concurrency (SPEC §3 keys[].limits.concurrency): a gauge held from admission until the call ends. */
import type { GatewayError } from '../core/errors.js'
import { isPromise } from '../core/sync.js'
import type { KeyConfig } from './access-config.js'
import { quiet, refusal, type Admission, type AdmissionStep, type Hold } from './admission.js'
import type { LimitDeps } from './key-limit.js'

/** Concurrency frees the moment a call ends, so a refused client may try again a second later. */
const RETRY_MS = 1000

export function compileConcurrency(key: KeyConfig, deps: LimitDeps): AdmissionStep | null {
  const limit = key.limits?.concurrency
  if (limit === undefined) return null
  const gauge = deps.store.gauge(`key:${key.id}:concurrency:${limit}`, limit)
  const onRejected = deps.onRejected
  const message = `key ${key.id}: concurrency limit of ${limit} requests reached`
  const release = (): void => quiet(gauge.release())
  const hold: Hold = { undo: release, end: release }
  const decide = (ok: boolean, a: Admission): GatewayError | undefined => {
    if (!ok) {
      onRejected?.('concurrency')
      return refusal('rate_limit_exceeded', message, RETRY_MS)
    }
    a.holds.push(hold)
    return undefined
  }
  // HOT PATH: no continuation allocated when the gauge answers synchronously (memory and shared stores).
  return (_cx, a) => {
    const ok = gauge.acquire()
    return isPromise(ok) ? ok.then((r) => decide(r, a)) : decide(ok, a)
  }
}
