/** A provider's circuit breaker (SPEC §3 providers[].breaker): failure rate over a rolling window, cooldown, half-open probes. */
import type { BreakerConfig } from './access-config.js'

export type BreakerState = 'closed' | 'open' | 'half-open'

/** What tryPass() grants: refuse, a normal call, or a half-open probe (whose outcome decides the state). */
export const REFUSED = 0
export const NORMAL = 1
export const PROBE = 2
export type Pass = typeof REFUSED | typeof NORMAL | typeof PROBE

/** success: upstream answered sanely (2xx/4xx); failure: 5xx, timeout, connect; neutral: client left, we never knew. */
export type Outcome = 'success' | 'failure' | 'neutral'

export interface Breaker {
  state(): BreakerState
  tryPass(): Pass
  record(pass: Pass, outcome: Outcome): void
}

/** The rolling window is this many buckets: O(1) memory and time, at most 1/BUCKETS of the window too old. */
const BUCKETS = 10

export function createBreaker(cfg: BreakerConfig, clock: () => number = Date.now, onChange?: (s: BreakerState) => void): Breaker {
  const bucketMs = Math.max(1, cfg.windowMs / BUCKETS)
  const ok = new Float64Array(BUCKETS)
  const bad = new Float64Array(BUCKETS)
  let total = 0
  let failures = 0
  let bucketAt = Math.floor(clock() / bucketMs) // absolute bucket number of the newest bucket
  let state: BreakerState = 'closed'
  let openedAt = 0
  let probesGranted = 0
  let probesPassed = 0

  const move = (to: BreakerState): void => {
    state = to
    if (to === 'open') openedAt = clock()
    if (to === 'half-open') probesGranted = probesPassed = 0
    if (to !== 'half-open') { ok.fill(0); bad.fill(0); total = failures = 0 }
    onChange?.(to)
  }

  // Advance the ring to now, zeroing buckets that slid out of the window.
  const roll = (): number => {
    const now = Math.floor(clock() / bucketMs)
    for (let n = Math.min(now - bucketAt, BUCKETS); n > 0; n--) {
      const i = (now - n + 1) % BUCKETS
      total -= ok[i]! + bad[i]!
      failures -= bad[i]!
      ok[i] = bad[i] = 0
    }
    bucketAt = now
    return now % BUCKETS
  }

  return {
    state() {
      if (state === 'open' && clock() - openedAt >= cfg.cooldownMs) move('half-open')
      return state
    },
    tryPass() {
      const s = this.state()
      if (s === 'closed') return NORMAL
      if (s === 'open' || probesGranted >= cfg.halfOpenProbes) return REFUSED
      probesGranted++
      return PROBE
    },
    record(pass, outcome) {
      if (pass === PROBE) {
        if (state !== 'half-open') return
        if (outcome === 'failure') move('open')
        else if (outcome === 'neutral') probesGranted-- // the slot goes to the next caller
        else if (++probesPassed >= cfg.halfOpenProbes) move('closed')
        return
      }
      if (state !== 'closed' || outcome === 'neutral') return
      const i = roll()
      total++
      if (outcome === 'failure') {
        bad[i]!++
        failures++
        if (total >= cfg.minRequests && failures / total > cfg.failureRate) move('open')
      } else {
        ok[i]!++
      }
    },
  }
}
