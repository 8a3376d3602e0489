/** The spec's version hash (SPEC §4 /admin/config, §5 llmgw_config_info{version}): 12 hex chars, secrets hashed. */
import { createHash } from 'node:crypto'
import { Secret } from '../core/secret.js'
import type { Spec } from './schema.js'

/** sha256 over canonical JSON (sorted keys); a Secret counts by a hash of its value, so rotating a key changes the version. */
export function specVersion(spec: Spec): string {
  return createHash('sha256').update(canonicalJson(spec)).digest('hex').slice(0, 12)
}

/** JSON with object keys sorted and undefined fields left out; Secrets become "secret:<sha256 of the value>". */
export function canonicalJson(value: unknown): string {
  if (value instanceof Secret) return JSON.stringify(`secret:${createHash('sha256').update(value.reveal()).digest('hex')}`)
  if (value === undefined) return 'null'
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null'
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`
}
