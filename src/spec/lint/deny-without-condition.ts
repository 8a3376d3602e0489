/** Lint rule deny-without-condition: a deny rule names at least one condition, else it refuses everything (SPEC §3 rules). */
import type { Finding, LintRule } from './types.js'

export const denyWithoutCondition: LintRule = {
  id: 'deny-without-condition',
  severity: 'warning',
  description: 'a deny rule has an empty when, so it refuses every request',
  check({ spec }) {
    const out: Finding[] = []
    spec.rules.forEach((r, i) => {
      if (r.type !== 'deny') return
      const { model, header, key, ip } = r.when
      if (model === undefined && key === undefined && ip === undefined && Object.keys(header ?? {}).length === 0)
        out.push({ path: ['rules', i, 'when'], message: 'deny rule has no condition: it refuses every request', at: 'key' })
    })
    return out
  },
}
