/** Lint rule budget-without-pricing: a key with a budget may only use priced models (SPEC §3 keys[].budget, pricing). */
import { compileGlobs } from '../../core/glob.js'
import type { Finding, LintRule } from './types.js'

export const budgetWithoutPricing: LintRule = {
  id: 'budget-without-pricing',
  severity: 'warning',
  description: 'a key has a budget but can use models without pricing, whose calls cost nothing against it',
  check({ spec }) {
    const out: Finding[] = []
    spec.keys.forEach((k, i) => {
      if (!k.budget) return
      const allowed = k.models === undefined ? () => true : compileGlobs(k.models)
      const free = spec.models.filter((m) => allowed(m.name) && m.pricing === undefined).map((m) => `'${m.name}'`)
      if (free.length > 0)
        out.push({ path: ['keys', i, 'budget'], message: `key '${k.id}' has a budget but ${free.join(', ')} ha${free.length === 1 ? 's' : 've'} no pricing (counted as free)`, at: 'key' })
    })
    return out
  },
}
