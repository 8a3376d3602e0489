/** Lint rule unknown-provider: every target names a provider in `providers` (SPEC §3 models[].targets, experiments). */
import { suggest } from '../problems.js'
import type { Finding, LintRule } from './types.js'

export const unknownProvider: LintRule = {
  id: 'unknown-provider',
  severity: 'error',
  description: 'a model target or experiment variant names a provider that is not defined',
  check({ spec }) {
    const names = new Set(spec.providers.map((p) => p.name))
    const out: Finding[] = []
    const checkRef = (provider: string, path: (string | number)[]) => {
      if (!names.has(provider)) out.push({ path, message: `unknown provider '${provider}'${suggest(provider, names)}` })
    }
    spec.models.forEach((m, i) => m.targets.forEach((t, j) => checkRef(t.provider, ['models', i, 'targets', j, 'provider'])))
    spec.experiments.forEach((e, i) =>
      e.variants.forEach((v, j) => v.target && checkRef(v.target.provider, ['experiments', i, 'variants', j, 'target', 'provider'])),
    )
    return out
  },
}
