/** The spec as /admin/config shows it (SPEC §4 "secrets redacted"): Secrets, header values and URL credentials hidden. */

const REDACTED = '[redacted]'
// scheme://userinfo@ : with "user:pass" only the password goes; a lone userinfo is usually a token and goes whole.
const USERINFO = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#@\s]*)@/i
const SECRET_PARAM = /^(.*(key|token|secret|password|passwd|pwd|sig|signature|auth).*)$/i

/** Hides the credentials a URL may carry: userinfo password (or the whole userinfo) and secret-looking query values. */
export function redactUrl(s: string): string {
  let out = s.replace(USERINFO, (_m, scheme: string, info: string) => {
    const colon = info.indexOf(':')
    return `${scheme}${colon >= 0 ? `${info.slice(0, colon)}:${REDACTED}` : REDACTED}@`
  })
  const q = out.indexOf('?')
  if (q >= 0 && /^[a-z][a-z0-9+.-]*:\/\//i.test(out)) {
    const [query, hash = ''] = out.slice(q + 1).split('#', 2) as [string, string?]
    const params = query.split('&').map((kv) => {
      const eq = kv.indexOf('=')
      return eq > 0 && SECRET_PARAM.test(kv.slice(0, eq)) ? `${kv.slice(0, eq)}=${REDACTED}` : kv
    })
    out = `${out.slice(0, q + 1)}${params.join('&')}${hash ? `#${hash}` : ''}`
  }
  return out
}

/**
 * A plain-data copy of the spec for display: Secret fields already render as "[redacted]" (Secret.toJSON); on top of
 * that every value of a `headers` map (static upstream headers often carry credentials) and every URL's credentials.
 * Runs once per compile, never per request.
 */
export function redactSpec(spec: unknown): unknown {
  const walk = (v: unknown, key: string | undefined): unknown => {
    if (typeof v === 'string') return redactUrl(v)
    if (Array.isArray(v)) return v.map((x) => walk(x, undefined))
    if (v === null || typeof v !== 'object') return v
    const out: Record<string, unknown> = {}
    for (const [k, x] of Object.entries(v)) out[k] = key === 'headers' ? REDACTED : walk(x, k)
    return out
  }
  return walk(JSON.parse(JSON.stringify(spec ?? null)) as unknown, undefined)
}
