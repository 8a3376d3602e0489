/** THE map from upstream failures to SPEC §4 codes (transport errors, timeouts, statuses), read by the retry policy too. */
import { GatewayError } from '../core/errors.js'

/** Our own per-attempt timer fired (undici's header/body timeouts map to the same code). */
export class AttemptTimeout extends Error {
  override readonly name = 'AttemptTimeout'
}

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT'])
const CONNECT_WORDS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  UND_ERR_SOCKET: 'connection closed',
  UND_ERR_CONNECT_TIMEOUT: 'connect timeout',
  UND_ERR_CLOSED: 'client closed',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host lookup failed',
  EPIPE: 'broken pipe',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
}
// Anything longer is cut: an upstream error message is a hint for the client, not a transcript.
const MAX_MESSAGE = 500
/**
 * An upstream message is cut to a few times what a client may see before it is scrubbed: scrubbing 64 KiB took ~3 ms.
 * A secret cut at this edge leaves a fragment the scrubber still catches (8+ characters), or one past MAX_MESSAGE.
 */
const clip = (s: string): string => s.trim().slice(0, MAX_MESSAGE * 4)

const errCode = (e: unknown): string | undefined => {
  const c = (e as { code?: unknown } | null)?.code
  return typeof c === 'string' ? c : undefined
}

/** A transport-level failure (no usable HTTP status): timeout or connect class. Messages never carry addresses or headers. */
export function mapTransportError(provider: string, e: unknown): GatewayError {
  if (e instanceof GatewayError) return e
  const code = errCode(e) ?? errCode((e as { cause?: unknown } | null)?.cause)
  if (e instanceof AttemptTimeout || (code && TIMEOUT_CODES.has(code))) {
    return new GatewayError('upstream_timeout', `provider ${provider}: upstream timed out`, { retryClass: 'timeout', cause: e })
  }
  const what = (code && CONNECT_WORDS[code]) ?? 'request failed'
  return new GatewayError('upstream_error', `provider ${provider}: ${what}`, { retryClass: 'connect', cause: e })
}

/** The request's whole timeout (SPEC §3 server.requestTimeout) ran out while its stream was being relayed. */
export function streamTimedOut(provider: string): GatewayError {
  return new GatewayError('upstream_timeout', `provider ${provider}: the request timeout ran out before the stream ended`, { retryClass: 'timeout' })
}

/** An upstream SSE event past the splitter's limit (wire/sse.ts MAX_SSE_EVENT_BYTES): never ended, or absurd. */
export function sseEventTooLarge(provider: string, limit: number): GatewayError {
  return badUpstream(provider, `an SSE event larger than ${limit} bytes (never ended?)`)
}

/** A broken answer from an upstream that did answer 2xx (invalid JSON, broken SSE, too large). Never retried after begin(). */
export function badUpstream(provider: string, what: string): GatewayError {
  return new GatewayError('upstream_error', `provider ${provider}: ${what}`, { retryClass: 'status', upstreamStatus: 200 })
}

/** One SSE event's data as a JSON object; anything else is a broken stream (upstream_error, never relayed). */
export function parseSseObject(provider: string, data: string): Record<string, unknown> {
  let obj: unknown
  try {
    obj = JSON.parse(data)
  } catch {
    throw badUpstream(provider, 'broken SSE from upstream (an event is not JSON)')
  }
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw badUpstream(provider, 'broken SSE from upstream (an event is not an object)')
  return obj as Record<string, unknown>
}

/** Fragments this long of a secret (prefix, suffix or any other window) give it away; OpenAI's `sk-abc***wxyz` shows less. */
const FRAGMENT = 8
/** Only secrets at least this long are matched by fragment; shorter ones only whole. */
const FRAGMENT_MIN_SECRET = 12
const TOKEN = /[^\s"'`]+/g

/**
 * Removes every secret (provider key, static header values) an upstream might echo in its message: whole, and as any
 * token (a run of non-space, non-quote characters) holding 8+ consecutive characters of one, so a quoted prefix
 * (`sk-UPSTREAMSECRET-a`) or a masked form (`sk-UPSTR...c123`) goes too. A header value is also split at spaces
 * ("Bearer <token>"). The 8-character windows are built once; a message costs one pass. Runs on error paths only.
 */
export function createScrubber(secrets: ReadonlyArray<string>): (s: string) => string {
  const list = secrets.filter((s) => s.length >= 6)
  const windows = new Set<string>()
  for (const part of secrets.flatMap((s) => s.split(/[\s"'`]+/))) {
    if (part.length < FRAGMENT_MIN_SECRET) continue
    for (const form of encodedForms(part)) for (let i = 0; i + FRAGMENT <= form.length; i++) windows.add(form.slice(i, i + FRAGMENT))
  }
  if (list.length === 0 && windows.size === 0) return (s) => s
  const leaks = (token: string): boolean => {
    for (let i = 0; i + FRAGMENT <= token.length; i++) if (windows.has(token.slice(i, i + FRAGMENT))) return true
    return false
  }
  return (s) => {
    for (const x of list) if (s.includes(x)) s = s.split(x).join('[redacted]')
    return windows.size === 0 ? s : s.replace(TOKEN, (t) => (t.length >= FRAGMENT && leaks(t) ? '[redacted]' : t))
  }
}

/**
 * A secret as an upstream may echo it: as is, percent-encoded, and base64 (and base64url) encoded, e.g. inside a
 * Basic credential ("user:<key>") or a debug dump of the request. Base64 of a secret depends on how many bytes came
 * before it (mod 3): each of the three alignments is encoded, and only the characters whose 6 bits all come from the
 * secret are kept (those at its edges mix with the unknown bytes around it).
 */
function encodedForms(secret: string): string[] {
  const forms = [secret]
  const pct = encodeURIComponent(secret)
  // percent-encoding is case-insensitive in its hex digits (%2F and %2f): both forms
  if (pct !== secret) forms.push(pct, pct.replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase()))
  const bytes = Buffer.from(secret)
  for (let lead = 0; lead < 3; lead++) {
    const b64 = Buffer.concat([Buffer.alloc(lead), bytes]).toString('base64')
    // character i holds bits [6i, 6i + 6): stable when they lie within bytes [lead, lead + length)
    const stable = b64.slice(Math.ceil((lead * 8) / 6), Math.floor(((lead + bytes.length) * 8) / 6))
    if (stable.length < FRAGMENT) continue
    forms.push(stable)
    const url = stable.replaceAll('+', '-').replaceAll('/', '_')
    if (url !== stable) forms.push(url)
  }
  return forms
}

/** `error.message` of an OpenAI- or Anthropic-shaped error body, or the body text itself. */
function upstreamMessage(body: string): string {
  try {
    const j = JSON.parse(body) as { error?: { message?: unknown } | string; message?: unknown }
    if (typeof j.error === 'object' && typeof j.error?.message === 'string') return j.error.message
    if (typeof j.error === 'string') return j.error
    if (typeof j.message === 'string') return j.message
  } catch {
    // not JSON: use the text
  }
  return body
}

/** The upstream's retry-after in ms, from retry-after-ms or retry-after (seconds or HTTP date); undefined when absent or unreadable. */
export function upstreamRetryAfterMs(headers: Readonly<Record<string, string | string[] | undefined>>): number | undefined {
  const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v)
  const ms = Number(one(headers['retry-after-ms']))
  if (Number.isFinite(ms) && ms > 0) return ms
  const ra = one(headers['retry-after'])?.trim()
  if (ra === undefined || ra === '') return undefined
  const s = Number(ra)
  if (Number.isFinite(s) && s >= 0) return s * 1000
  const at = Date.parse(ra)
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : undefined
}

/** retry-after in whole seconds, from retry-after (seconds or HTTP date) or retry-after-ms; 1 when absent. */
function retryAfterSeconds(ms: number | undefined): string {
  return ms === undefined ? '1' : capped(Math.ceil(ms / 1000))
}

// An upstream's retry-after is passed on, but never one that tells clients to stay away for more than an hour.
const MAX_RETRY_AFTER_S = 3600
const capped = (s: number): string => String(Math.min(s, MAX_RETRY_AFTER_S))

/** An upstream non-2xx answer -> the client-facing error; retryClass 'status' with extra.upstreamStatus for `retry.on`. */
export function mapStatusError(
  provider: string,
  status: number,
  headers: Readonly<Record<string, string | string[] | undefined>>,
  body: string,
  scrub: (s: string) => string,
): GatewayError {
  const after = status === 429 || status === 401 || status === 403 ? upstreamRetryAfterMs(headers) : undefined
  const base = { retryClass: 'status' as const, upstreamStatus: status, ...(after === undefined ? {} : { upstreamRetryAfterMs: after }) }
  if (status === 429) {
    // The provider's limit, not one of the client's (SPEC §4: 429 is for the gateway's limits and budgets): once
    // retries and fallbacks are spent it is an upstream failure, 502; its retry-after still tells the client when.
    return new GatewayError('upstream_error', `provider ${provider}: upstream rate limit reached (429)`, {
      ...base,
      headers: [['retry-after', retryAfterSeconds(after)]],
    })
  }
  if (status === 404) {
    // The client named a public model; a 404 upstream means the gateway's baseUrl or target model is wrong.
    const detail = scrub(clip(upstreamMessage(body))).slice(0, MAX_MESSAGE)
    return new GatewayError('upstream_error', `provider ${provider}: upstream answered 404 (check the provider's baseUrl and the target model)${detail ? `: ${detail}` : ''}`, base)
  }
  if (status === 400 || status === 413 || status === 422) {
    const msg = scrub(clip(upstreamMessage(body))).slice(0, MAX_MESSAGE)
    return new GatewayError('invalid_request', msg || `provider ${provider}: upstream rejected the request (${status})`, base)
  }
  if (status === 401 || status === 403) {
    // the upstream rejected OUR credentials: the client cannot fix that, and the message may quote the key
    return new GatewayError('upstream_error', `provider ${provider}: upstream rejected the gateway's credentials (${status})`, base)
  }
  return new GatewayError('upstream_error', `provider ${provider}: upstream answered ${status}`, base)
}
