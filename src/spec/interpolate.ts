/** `${env:NAME}` and `${env:NAME:-default}` in any string value, applied to the raw document before zod (SPEC §3). */
import type { SpecPath } from './problems.js'

// `$${env:X}` stays literal as `${env:X}`; NAME follows shell rules; the default runs to the closing brace.
const REFERENCE = /\$?\$\{env:([^}]*)\}/g
const NAME = /^([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?$/s
const MAX_DEPTH = 64

export interface InterpolationProblem {
  path: SpecPath
  message: string
}

export interface Interpolated {
  value: unknown
  problems: InterpolationProblem[]
}

/** A copy of `raw` with references filled from `env`; Date objects become ISO strings. Never throws. */
export function interpolateEnv(raw: unknown, env: NodeJS.ProcessEnv): Interpolated {
  const problems: InterpolationProblem[] = []
  const seen = new Set<object>()

  const walk = (v: unknown, path: (string | number)[]): unknown => {
    if (typeof v === 'string') return v.includes('${') ? fill(v, path) : v
    if (v instanceof Date) return Number.isNaN(v.getTime()) ? 'Invalid Date' : v.toISOString()
    if (v === null || typeof v !== 'object') return v
    if (seen.has(v) || path.length > MAX_DEPTH) {
      problems.push({ path, message: 'the value refers to itself or is nested too deeply' })
      return undefined
    }
    seen.add(v)
    try {
      if (Array.isArray(v)) return v.map((item, i) => walk(item, [...path, i]))
      const out: Record<string, unknown> = {}
      for (const [k, item] of Object.entries(v)) out[k] = walk(item, [...path, k])
      return out
    } finally {
      seen.delete(v)
    }
  }

  const fill = (text: string, path: SpecPath): string =>
    text.replace(REFERENCE, (whole, inner: string) => {
      if (whole.startsWith('$$')) return whole.slice(1)
      const m = NAME.exec(inner)
      if (!m) {
        problems.push({ path, message: `malformed reference '${whole}': expected \${env:NAME} or \${env:NAME:-default}` })
        return ''
      }
      const [, name, fallback] = m as unknown as [string, string, string | undefined]
      const value = env[name]
      if (value !== undefined && value !== '') return value
      if (fallback !== undefined) return fallback
      if (value === '') return ''
      problems.push({ path, message: `environment variable ${name} is not set (write \${env:${name}:-default} for a default)` })
      return ''
    })

  return { value: walk(raw, []), problems }
}
