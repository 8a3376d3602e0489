/** Lint rule experiment-unknown-model: an experiment splits traffic of a model that exists (SPEC §3 experiments). */
import { suggest } from '../problems.js'
import type { LintRule } from './types.js'

export const experimentUnknownModel: LintRule = {
  id: 'experiment-unknown-model',
  severity: 'error',
  description: 'an experiment names a public model that is not defined',
  check({ spec }) {
    const names = spec.models.map((m) => m.name)
    return spec.experiments.flatMap((e, i) =>
      names.includes(e.model) ? [] : [{ path: ['experiments', i, 'model'], message: `unknown model '${e.model}'${suggest(e.model, names)}` }],
    )
  },
}
