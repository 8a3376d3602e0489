/**
 * Credentials inside URL-valued spec fields (provider baseUrl, tracing otlpEndpoint, jwksUrl, redis url): hidden for
 * display (`llmgw diff`, /admin/config, start-up errors) and found for `llmgw lint` (plaintext-secret). One rule
 * everywhere: the userinfo password (or a lone userinfo, usually a token) and the values of query or fragment
 * parameters named like a credential.
 */

const REDACTED = '[redacted]'
const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i
export const SECRET_PARAM = /key|token|secret|password|passwd|pwd|sig|signature|auth|credential/i
const PARAM = /([?#&;])([^=&#;?]*)=([^&#;]*)/g

/** Where one credential sits in a URL, by offsets into the string (the value only, never its name). */
export interface UrlCredential {
  /** For messages: "the password in its userinfo", "its userinfo", "query parameter 'api-key'". */
  where: string
  start: number
  end: number
}

/** Every credential a URL carries; [] for text that is not scheme://... */
export function urlCredentials(s: string): UrlCredential[] {
  const m = SCHEME.exec(s)
  if (!m) return []
  const out: UrlCredential[] = []
  const from = m[0].length
  let authorityEnd = s.length
  for (const c of ['/', '?', '#']) {
    const i = s.indexOf(c, from)
    if (i >= 0 && i < authorityEnd) authorityEnd = i
  }
  // The last '@' of the authority ends the userinfo (an unescaped '@' in a password must not leave its tail behind).
  const at = s.lastIndexOf('@', authorityEnd - 1)
  if (at >= from) {
    const colon = s.indexOf(':', from)
    if (colon >= 0 && colon < at) {
      if (colon + 1 < at) out.push({ where: 'the password in its userinfo', start: colon + 1, end: at })
    } else if (at > from) out.push({ where: 'its userinfo', start: from, end: at })
  }
  const tail = authorityEnd
  PARAM.lastIndex = tail
  for (let p = PARAM.exec(s); p !== null; p = PARAM.exec(s)) {
    const [, sep, name, value] = p as unknown as [string, string, string, string]
    if (value !== '' && SECRET_PARAM.test(name)) {
      const start = p.index + sep.length + name.length + 1
      out.push({ where: `${sep === '#' ? 'fragment' : 'query'} parameter '${name}'`, start, end: start + value.length })
    }
  }
  return out
}

/** The URL with each credential replaced by "[redacted]"; host, path and other parameters stay, so a move is visible. */
export function redactUrl(s: string): string {
  const found = urlCredentials(s)
  if (found.length === 0) return s
  let out = ''
  let last = 0
  for (const c of found) {
    out += s.slice(last, c.start) + REDACTED
    last = c.end
  }
  return out + s.slice(last)
}
