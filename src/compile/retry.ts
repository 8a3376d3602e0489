/** Retry policy (SPEC §3 models[].retry): which failures retry, and the backoff between attempts. Never after AttemptSink.begin. */
import type { Cancellation } from '../core/cancel.js'
import type { GatewayError } from '../core/errors.js'
import type { RetryPlan } from './plan.js'

/** Is this failed attempt worth another attempt under the model's `retry.on`? */
export function compileRetryable(r: RetryPlan): (err: GatewayError) => boolean {
  if (r.attempts <= 1) return () => false
  const statuses = new Set(r.statuses)
  return (err) => {
    switch (err.extra.retryClass) {
      case 'timeout':
        return r.onTimeout
      case 'connect':
        return r.onConnect
      case 'status': {
        const s = err.extra.upstreamStatus ?? err.status
        return statuses.has(s) || (r.on5xx && s >= 500 && s <= 599) || (r.on4xx && s >= 400 && s <= 499)
      }
      default:
        return false
    }
  }
}

/** Exponential backoff from `retry.backoff` (attempt 1 -> backoff, 2 -> 2x ...), capped at 10 s. */
export function backoffMs(r: RetryPlan, failedAttempts: number): number {
  return Math.min(r.backoffMs * 2 ** (failedAttempts - 1), 10_000)
}

/** Failures after which the next public model in the fallback chain is worth trying: the upstream side failed. */
export function isFallbackWorthy(err: GatewayError): boolean {
  switch (err.code) {
    case 'upstream_error':
    case 'upstream_timeout':
    case 'upstream_unavailable':
    case 'overloaded':
      return true
    default:
      // A 429 from the upstream is the provider's limit, not the client's: another model may well answer.
      return err.extra.upstreamStatus === 429
  }
}

/** Sleep that ends early (false) when the client leaves. */
export function sleep(ms: number, signal: Cancellation): Promise<boolean> {
  if (ms <= 0) return Promise.resolve(!signal.aborted)
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false)
    const onAbort = (): void => {
      clearTimeout(timer)
      resolve(false)
    }
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort)
      resolve(true)
    }, ms)
    signal.addEventListener('abort', onAbort, { once: true })
  })
}
