/** Lint rule non-positive-weight: target weights are > 0; variant weights >= 0 and not all 0 (SPEC §3). */
import type { Finding, LintRule } from './types.js'

export const nonPositiveWeight: LintRule = {
  id: 'non-positive-weight',
  severity: 'error',
  description: 'a target weight is zero or negative, or an experiment has no positive variant weight',
  check({ spec }) {
    const out: Finding[] = []
    spec.models.forEach((m, i) =>
      m.targets.forEach((t, j) => {
        if (!(t.weight > 0)) out.push({ path: ['models', i, 'targets', j, 'weight'], message: `weight must be greater than 0, got ${t.weight} (remove the target to turn it off)` })
      }),
    )
    spec.experiments.forEach((e, i) => {
      e.variants.forEach((v, j) => {
        if (v.weight < 0) out.push({ path: ['experiments', i, 'variants', j, 'weight'], message: `weight must not be negative, got ${v.weight}` })
      })
      if (e.variants.every((v) => v.weight <= 0)) out.push({ path: ['experiments', i, 'variants'], message: 'no variant has a positive weight', at: 'key' })
    })
    return out
  },
}
