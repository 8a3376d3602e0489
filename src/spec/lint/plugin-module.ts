/** Lint rule plugin-module (SPEC §3 rules[].type: plugin): the module file exists (whether it loads and exports a hook is checked at load, spec/plugin-check.ts). */
import { existsSync, statSync } from 'node:fs'
import type { Finding, LintRule } from './types.js'

export const pluginModule: LintRule = {
  id: 'plugin-module',
  severity: 'error',
  description: 'a plugin module does not exist, does not load, or exports no hook (onRequest, onResponse, onChunk, onEnd)',
  check({ spec }) {
    const out: Finding[] = []
    spec.rules.forEach((r, i) => {
      if (r.type !== 'plugin') return
      if (!existsSync(r.module)) out.push({ path: ['rules', i, 'module'], message: `plugin module not found: ${r.module}` })
      else if (!statSync(r.module).isFile()) out.push({ path: ['rules', i, 'module'], message: `plugin module is not a file: ${r.module}` })
    })
    return out
  },
}
