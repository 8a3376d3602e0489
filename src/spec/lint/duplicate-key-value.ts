/** Lint rule duplicate-key-value: two keys[] entries with the same key (or hash): whose scopes and limits apply is ambiguous. */
import { createHash } from 'node:crypto'
import type { Finding, LintRule } from './types.js'

export const duplicateKeyValue: LintRule = {
  id: 'duplicate-key-value',
  severity: 'error',
  description: 'two keys share one secret value, so the gateway cannot tell which entry a caller is',
  check({ spec }) {
    const seen = new Map<string, string>()
    const out: Finding[] = []
    spec.keys.forEach((k, i) => {
      // Compare hashes, never values: the message must not carry the key.
      const h = k.hash ?? (k.key ? `sha256:${createHash('sha256').update(k.key.reveal()).digest('hex')}` : undefined)
      if (h === undefined) return
      const first = seen.get(h)
      if (first !== undefined) {
        const field = k.hash !== undefined ? 'hash' : 'key'
        out.push({ path: ['keys', i, field], message: `key '${k.id}' has the same value as key '${first}'` })
      } else seen.set(h, k.id)
    })
    return out
  },
}
