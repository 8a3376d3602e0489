/** Lint rule plaintext-secret: secrets come from `${env:...}` (or `hash:` for keys), never the file (SPEC §3). */
import { urlCredentials } from '../../core/url-secrets.js'
import { valueAt } from '../zod-problems.js'
import type { Finding, LintRule } from './types.js'

const FROM_ENV = /\$\{env:[^}]+\}/
/** Header names whose values are credentials (Authorization, api-key, x-api-key, x-auth-token, cookie...). */
const CREDENTIAL_HEADER = /authorization|api[-_]?key|token|secret|password|passwd|credential|signature|cookie|auth/i
/** A value that is a credential whatever the header's name: "Bearer ...", "Basic ...", an sk-... key. */
const CREDENTIAL_VALUE = /^(bearer|basic|token)\s+\S|^sk-[A-Za-z0-9_-]{8,}/i

export const plaintextSecret: LintRule = {
  id: 'plaintext-secret',
  severity: 'warning',
  description: 'a secret is written in the file instead of coming from ${env:NAME} (or hash: for client keys)',
  // Messages name the field, header or URL part, never the value.
  check({ raw }) {
    const out: Finding[] = []
    const check = (path: (string | number)[], hint: string, isSecret: (v: string) => boolean = (v) => v !== '') => {
      const v = valueAt(raw, path)
      if (typeof v === 'string' && !FROM_ENV.test(v) && isSecret(v)) out.push({ path, message: `secret written in plain text: ${hint}` })
    }
    /** Each credential inside a URL (userinfo password, key/token query values) unless that part is ${env:...}. */
    const url = (path: (string | number)[]) => {
      const v = valueAt(raw, path)
      if (typeof v !== 'string') return
      const plain = urlCredentials(v).filter((c) => !FROM_ENV.test(v.slice(c.start, c.end)))
      if (plain.length === 0) return
      const where = plain.map((c) => c.where).join(', ')
      out.push({ path, message: `secret written in plain text: the URL holds a credential (${where}); use \${env:NAME}` })
    }
    const headers = (path: (string | number)[]) => {
      const v = valueAt(raw, path)
      if (v === null || typeof v !== 'object' || Array.isArray(v)) return
      for (const [name, value] of Object.entries(v)) {
        if (typeof value !== 'string' || !/[A-Za-z]/.test(value) || FROM_ENV.test(value)) continue
        if (CREDENTIAL_HEADER.test(name) || CREDENTIAL_VALUE.test(value)) {
          out.push({ path: [...path, name], message: `secret written in plain text: header '${name}' carries a credential; use \${env:NAME}` })
        }
      }
    }
    const list = (name: string) => {
      const v = valueAt(raw, [name])
      return Array.isArray(v) ? v : []
    }
    list('providers').forEach((_, i) => {
      check(['providers', i, 'apiKey'], 'use ${env:NAME}')
      const pool = valueAt(raw, ['providers', i, 'apiKeys'])
      if (Array.isArray(pool)) pool.forEach((_, j) => check(['providers', i, 'apiKeys', j], 'use ${env:NAME} (or apiKeyFile)'))
      url(['providers', i, 'baseUrl'])
      headers(['providers', i, 'headers'])
    })
    list('keys').forEach((_, i) => check(['keys', i, 'key'], 'use ${env:NAME} or hash: sha256:<hex> (llmgw keys hash KEY)'))
    check(['admin', 'token'], 'use ${env:NAME}')
    check(['auth', 'jwt', 'secret'], 'use ${env:NAME}')
    url(['auth', 'jwt', 'jwksUrl'])
    // A redis URL is only secret when it carries a password (redis://user:password@host).
    const before = out.length
    check(['state', 'redis', 'url'], 'the URL holds a password; use ${env:NAME}', (v) => /^[a-z]+:\/\/[^/@]*:[^/@]+@/i.test(v))
    if (out.length === before) url(['state', 'redis', 'url'])
    url(['observability', 'tracing', 'otlpEndpoint'])
    headers(['observability', 'tracing', 'headers'])
    return out
  },
}
