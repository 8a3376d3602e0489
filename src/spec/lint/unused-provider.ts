/** Lint rule unused-provider: every provider is used by some target or variant (SPEC §3 providers). */
import type { LintRule } from './types.js'

export const unusedProvider: LintRule = {
  id: 'unused-provider',
  severity: 'warning',
  description: 'a provider is defined but no model target or experiment variant uses it',
  check({ spec }) {
    const used = new Set(spec.models.flatMap((m) => m.targets.map((t) => t.provider)))
    for (const e of spec.experiments) for (const v of e.variants) if (v.target) used.add(v.target.provider)
    return spec.providers.flatMap((p, i) =>
      used.has(p.name) ? [] : [{ path: ['providers', i, 'name'], message: `provider '${p.name}' is not used by any model` }],
    )
  },
}
