/** Lint rule degrade-stale-without-cache: `degrade.stale` answers from the model's cache, which it lacks (SPEC §3 models[].degrade). */
import type { Finding, LintRule } from './types.js'

export const degradeStaleWithoutCache: LintRule = {
  id: 'degrade-stale-without-cache',
  severity: 'warning',
  description: 'a model has degrade.stale but no cache, so there is never a stale answer to give',
  check({ spec }) {
    const out: Finding[] = []
    spec.models.forEach((m, i) => {
      if (m.degrade?.stale !== true || m.cache !== undefined) return
      const then = m.degrade.message === undefined ? 'the error is answered as if degrade were not set' : 'only the static message is answered'
      out.push({ path: ['models', i, 'degrade', 'stale'], message: `model '${m.name}' has no cache: there is no stale answer, ${then} (add cache: { ttl: ... })`, at: 'key' })
    })
    return out
  },
}
