/** Lint rule on-unavailable-without-redis: `state.onUnavailable` does nothing with the memory store (SPEC §3 state). */
import type { LintRule } from './types.js'

/*
 * Only onUnavailable: SPEC §3's own example keeps `state.redis` beside `store: memory` (ready to switch), so redis
 * settings alone are not a mistake; a failure policy for a store that cannot fail is.
 */
export const onUnavailableWithoutRedis: LintRule = {
  id: 'on-unavailable-without-redis',
  severity: 'warning',
  description: 'state.onUnavailable is set but state.store is memory, which is never unavailable',
  check({ spec, raw }) {
    if (spec.state.store === 'redis') return []
    const written = (raw as { state?: { onUnavailable?: unknown } } | null)?.state
    if (written === null || typeof written !== 'object' || written.onUnavailable === undefined) return []
    return [{ path: ['state', 'onUnavailable'], message: 'has no effect: state.store is memory (set store: redis to use it)', at: 'key' }]
  },
}
