/** Lint rule redis-without-url: `state.store: redis` needs `state.redis.url` (SPEC §3 state). */
import type { LintRule } from './types.js'

export const redisWithoutUrl: LintRule = {
  id: 'redis-without-url',
  severity: 'error',
  description: 'state.store is redis but state.redis.url is missing or empty',
  check({ spec }) {
    if (spec.state.store !== 'redis' || spec.state.redis?.url !== undefined) return []
    return [{ path: spec.state.redis ? ['state', 'redis'] : ['state', 'store'], message: 'store is redis but redis.url is not set', at: 'key' }]
  },
}
