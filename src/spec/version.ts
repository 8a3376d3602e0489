/** The spec's version hash (SPEC §4 /admin/config, §5 llmgw_config_info{version}): 12 hex chars, secrets hashed. */
import { createHash, hash } from 'node:crypto'
import { Secret } from '../core/secret.js'
import type { Spec } from './schema.js'

/** sha256 over canonical JSON (sorted keys); a Secret counts by a hash of its value, so rotating a key changes the version. */
export function specVersion(spec: Spec): string {
  return createHash('sha256').update(canonicalJson(spec)).digest('hex').slice(0, 12)
}

/** JSON with object keys sorted and undefined fields left out; Secrets become "secret:<sha256 of the value>". */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return value === undefined ? 'null' : (JSON.stringify(value) ?? 'null')
  if (value instanceof Secret) return `"secret:${hash('sha256', value.reveal(), 'hex')}"`
  if (Array.isArray(value)) {
    let out = '['
    for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + canonicalJson(value[i])
    return `${out}]`
  }
  const obj = value as Record<string, unknown>
  // The default sort compares UTF-16 code units, as `<` does on strings.
  const keys = Object.keys(obj).sort()
  let out = '{'
  let first = true
  for (const k of keys) {
    const v = obj[k]
    if (v === undefined) continue
    out += `${first ? '' : ','}${JSON.stringify(k)}:${canonicalJson(v)}`
    first = false
  }
  return `${out}}`
}
