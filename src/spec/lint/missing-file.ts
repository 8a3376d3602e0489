/** Lint rule missing-file: files the spec refers to exist (SPEC §3 rules[].wordsFile, auth.jwt.publicKeyFile, providers[].apiKeyFile). */
import { existsSync } from 'node:fs'
import type { Finding, LintRule } from './types.js'

export const missingFile: LintRule = {
  id: 'missing-file',
  severity: 'error',
  description: 'a wordsFile, publicKeyFile or apiKeyFile does not exist',
  check({ spec }) {
    const out: Finding[] = []
    spec.rules.forEach((r, i) => {
      if (r.type === 'content-filter' && r.wordsFile !== undefined && !existsSync(r.wordsFile))
        out.push({ path: ['rules', i, 'wordsFile'], message: `file not found: ${r.wordsFile}` })
    })
    const pem = spec.auth.jwt?.publicKeyFile
    if (pem !== undefined && !existsSync(pem)) out.push({ path: ['auth', 'jwt', 'publicKeyFile'], message: `file not found: ${pem}` })
    spec.providers.forEach((p, i) => {
      if (p.apiKeyFile !== undefined && !existsSync(p.apiKeyFile)) out.push({ path: ['providers', i, 'apiKeyFile'], message: `file not found: ${p.apiKeyFile}` })
    })
    return out
  },
}
