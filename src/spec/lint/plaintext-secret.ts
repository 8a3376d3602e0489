/** Lint rule plaintext-secret: secrets come from `${env:...}` (or `hash:` for keys), never the file (SPEC §3). */
import { valueAt } from '../zod-problems.js'
import type { Finding, LintRule } from './types.js'

const FROM_ENV = /\$\{env:[^}]+\}/

export const plaintextSecret: LintRule = {
  id: 'plaintext-secret',
  severity: 'warning',
  description: 'a secret is written in the file instead of coming from ${env:NAME} (or hash: for client keys)',
  check({ raw }) {
    const out: Finding[] = []
    const check = (path: (string | number)[], hint: string, isSecret: (v: string) => boolean = (v) => v !== '') => {
      const v = valueAt(raw, path)
      if (typeof v === 'string' && !FROM_ENV.test(v) && isSecret(v)) out.push({ path, message: `secret written in plain text: ${hint}` })
    }
    const list = (name: string) => {
      const v = valueAt(raw, [name])
      return Array.isArray(v) ? v : []
    }
    list('providers').forEach((_, i) => check(['providers', i, 'apiKey'], 'use ${env:NAME}'))
    list('keys').forEach((_, i) => check(['keys', i, 'key'], 'use ${env:NAME} or hash: sha256:<hex> (llmgw keys hash KEY)'))
    check(['admin', 'token'], 'use ${env:NAME}')
    check(['auth', 'jwt', 'secret'], 'use ${env:NAME}')
    // A redis URL is only secret when it carries a password (redis://user:password@host).
    check(['state', 'redis', 'url'], 'the URL holds a password; use ${env:NAME}', (v) => /^[a-z]+:\/\/[^/@]*:[^/@]+@/i.test(v))
    return out
  },
}
