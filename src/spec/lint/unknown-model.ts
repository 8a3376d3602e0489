/** Lint rule unknown-model: fallbacks and rules refer to public models that exist (SPEC §3 models[].fallback, rules). */
import { compileGlobs, isGlob } from '../../core/glob.js'
import { suggest } from '../problems.js'
import type { Finding, LintRule } from './types.js'

export const unknownModel: LintRule = {
  id: 'unknown-model',
  severity: 'error',
  description: 'a fallback or rule names a public model that is not defined, or a rule glob matches no model',
  check({ spec }) {
    const names = spec.models.map((m) => m.name)
    const known = new Set(names)
    const out: Finding[] = []
    spec.models.forEach((m, i) =>
      m.fallback.forEach((f, j) => {
        if (!known.has(f)) out.push({ path: ['models', i, 'fallback', j], message: `unknown model '${f}'${suggest(f, names)}` })
      }),
    )
    spec.rules.forEach((r, i) => {
      const patterns = r.type === 'deny' ? (r.when.model === undefined ? [] : [r.when.model]) : (r.models ?? [])
      const base = r.type === 'deny' ? ['rules', i, 'when', 'model'] : ['rules', i, 'models']
      patterns.forEach((p, j) => {
        const path = r.type === 'deny' ? base : [...base, j]
        if (isGlob(p)) {
          const matches = compileGlobs([p])
          if (!names.some(matches)) out.push({ path, message: `pattern '${p}' matches no model` })
        } else if (!known.has(p)) out.push({ path, message: `unknown model '${p}'${suggest(p, names)}` })
      })
    })
    return out
  },
}
