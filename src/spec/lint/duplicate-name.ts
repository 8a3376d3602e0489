/** Lint rule duplicate-name: names and ids are unique in their list (SPEC §3 providers, models, keys, experiments). */
import type { Finding, LintRule } from './types.js'

export const duplicateName: LintRule = {
  id: 'duplicate-name',
  severity: 'error',
  description: 'two providers, models, keys, experiments or variants share a name',
  check({ spec }) {
    const out: Finding[] = []
    const unique = (names: string[], path: (string | number)[], field: string, what: string) => {
      const first = new Map<string, number>()
      names.forEach((n, i) => {
        const at = first.get(n)
        if (at === undefined) first.set(n, i)
        else out.push({ path: [...path, i, field], message: `duplicate ${what} '${n}' (first at ${path.join('.')}[${at}])` })
      })
    }
    unique(spec.providers.map((p) => p.name), ['providers'], 'name', 'provider name')
    unique(spec.models.map((m) => m.name), ['models'], 'name', 'model name')
    unique(spec.keys.map((k) => k.id), ['keys'], 'id', 'key id')
    unique(spec.experiments.map((e) => e.name), ['experiments'], 'name', 'experiment name')
    spec.experiments.forEach((e, i) => unique(e.variants.map((v) => v.name), ['experiments', i, 'variants'], 'name', 'variant name'))
    return out
  },
}
