/** Stable identities of config slices (SPEC §6): equal identity across reloads -> the entity's runtime is reused. */
import { createHash } from 'node:crypto'
import { canonicalJson } from '../spec/version.js'

/** `name#hash12` of the entity's whole config (a Secret counts by a hash of its value, never the value). */
export function formatIdentity(name: string, config: unknown): string {
  return `${name}#${createHash('sha256').update(canonicalJson(config)).digest('hex').slice(0, 12)}`
}
