/** The spec as /admin/config shows it (SPEC §4 "secrets redacted"): Secrets, header values and URL credentials hidden. */
import { redactUrl } from '../core/url-secrets.js'

export { redactUrl }

const REDACTED = '[redacted]'

/**
 * A plain-data copy of the spec for display: Secret fields already render as "[redacted]" (Secret.toJSON); on top of
 * that every value of a `headers` map (static upstream headers often carry credentials), every value of a plugin
 * rule's `options`, and every URL's credentials.
 * Runs once per compile, never per request.
 */
export function redactSpec(spec: unknown): unknown {
  const walk = (v: unknown, key: string | undefined): unknown => {
    if (typeof v === 'string') return redactUrl(v)
    if (Array.isArray(v)) return v.map((x) => walk(x, undefined))
    if (v === null || typeof v !== 'object') return v
    const out: Record<string, unknown> = {}
    for (const [k, x] of Object.entries(v)) out[k] = key === 'headers' ? REDACTED : walk(x, k)
    // a plugin's options may carry what it was given as a secret (an interpolated ${env:} value is a plain string)
    const o = (v as { type?: unknown; options?: unknown }).options
    if ((v as { type?: unknown }).type === 'plugin' && o !== null && typeof o === 'object' && !Array.isArray(o))
      out.options = Object.fromEntries(Object.keys(o).map((k) => [k, REDACTED]))
    return out
  }
  return walk(JSON.parse(JSON.stringify(spec ?? null)) as unknown, undefined)
}
