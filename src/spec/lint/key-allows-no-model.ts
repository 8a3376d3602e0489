/** Lint rule key-allows-no-model: a key's `models` globs match at least one public model (SPEC §3 keys[].models). */
import { compileGlobs } from '../../core/glob.js'
import type { Finding, LintRule } from './types.js'

export const keyAllowsNoModel: LintRule = {
  id: 'key-allows-no-model',
  severity: 'error',
  description: "a key's models list matches no defined model, so the key can call nothing",
  check({ spec }) {
    const names = spec.models.map((m) => m.name)
    const out: Finding[] = []
    spec.keys.forEach((k, i) => {
      if (k.models === undefined) return
      if (!names.some(compileGlobs(k.models))) {
        const list = k.models.length === 0 ? '[]' : k.models.map((p) => `'${p}'`).join(', ')
        out.push({ path: ['keys', i, 'models'], message: `key '${k.id}' allows no defined model (${list})`, at: 'key' })
      }
    })
    return out
  },
}
