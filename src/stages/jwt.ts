/** JWT bearer tokens with jose: HS256 secret, PEM public key, or a JWKS URL fetched off the request path (SPEC §3 auth.jwt). */
import { createPublicKey, type KeyObject } from 'node:crypto'
import { createLocalJWKSet, jwtVerify, type JWTPayload, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose'
import { GatewayError } from '../core/errors.js'
import type { JwtConfig } from './access-config.js'

/** Tokens longer than this are refused before any parsing (a real JWT is well under 4 kB). */
export const MAX_TOKEN_CHARS = 8192
const CLOCK_SKEW_MS = 30_000
const ASYMMETRIC = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519']
const JWT_SHAPE = /^[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]+$/

export interface JwtVerifier {
  /** The verified claims; rejects with GatewayError 401 invalid_api_key. */
  verify(token: string): Promise<JWTPayload>
  /** Stop background JWKS refreshes (on reload/retire). */
  close(): void
}

export interface JwtOptions {
  /** JWKS fetch timeout. */
  fetchTimeoutMs?: number
  /** Background JWKS refresh period. */
  refreshMs?: number
  /** Minimum gap between refreshes triggered by unknown `kid`s (a flood of bad tokens cannot hammer the IdP). */
  refreshCooldownMs?: number
  fetch?: typeof fetch
}

/** A JWT is three base64url parts: checked before trying one, so API keys never pay for JWT parsing. */
export function looksLikeJwt(token: string): boolean {
  return token.length <= MAX_TOKEN_CHARS && JWT_SHAPE.test(token)
}

export function createJwtVerifier(cfg: JwtConfig, opts: JwtOptions = {}): JwtVerifier {
  const audience = typeof cfg.audience === 'string' ? cfg.audience : cfg.audience ? [...cfg.audience] : undefined
  const claims = { issuer: cfg.issuer, audience, clockTolerance: Math.round((cfg.clockToleranceMs ?? CLOCK_SKEW_MS) / 1000) }
  if (cfg.secret) {
    const key = new TextEncoder().encode(cfg.secret.reveal())
    const options = { ...claims, algorithms: ['HS256', 'HS384', 'HS512'] }
    return { verify: (t) => checked(jwtVerify(t, key, options)), close: () => {} }
  }
  if (cfg.publicKey) {
    const key = importPem(cfg.publicKey)
    const options = { ...claims, algorithms: algorithmsFor(key) }
    return { verify: (t) => checked(jwtVerify(t, key, options)), close: () => {} }
  }
  if (cfg.jwksUrl) return createJwksVerifier(cfg.jwksUrl, { ...claims, algorithms: ASYMMETRIC }, opts)
  throw new Error('auth.jwt needs one of secret, publicKey or jwksUrl')
}

function createJwksVerifier(url: string, options: object, opts: JwtOptions): JwtVerifier {
  const doFetch = opts.fetch ?? fetch
  const timeoutMs = opts.fetchTimeoutMs ?? 3_000
  const cooldownMs = opts.refreshCooldownMs ?? 10_000
  let keys: JWTVerifyGetKey | undefined
  let pending: Promise<void> | undefined
  let lastAttempt = -Infinity

  const refresh = (): Promise<void> => {
    if (pending) return pending
    lastAttempt = Date.now()
    pending = fetchJwks(doFetch, url, timeoutMs)
      .then((set) => { keys = createLocalJWKSet(set) })
      .catch(() => {}) // keep the last good set; requests that need a missing key are refused
      .finally(() => { pending = undefined })
    return pending
  }
  void refresh()
  const timer = setInterval(() => void refresh(), opts.refreshMs ?? 300_000)
  timer.unref()

  const getKey: JWTVerifyGetKey = (header, token) => keys!(header, token)
  const verifyWith = (token: string) => checked(jwtVerify(token, getKey, options))
  return {
    async verify(token) {
      if (!keys) await refresh()
      if (!keys) throw new GatewayError('invalid_api_key', 'invalid bearer token: signing keys unavailable')
      try {
        return await verifyWith(token)
      } catch (e) {
        // An unknown kid may be a rotation: refetch once (rate-limited) and try again.
        if (!(e instanceof GatewayError && e.message.endsWith('no matching key')) || Date.now() - lastAttempt < cooldownMs) throw e
        await refresh()
        return verifyWith(token)
      }
    },
    close: () => clearInterval(timer),
  }
}

async function fetchJwks(doFetch: typeof fetch, url: string, timeoutMs: number): Promise<JSONWebKeySet> {
  const res = await doFetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json' } })
  if (!res.ok) throw new Error(`JWKS ${res.status}`)
  const text = await res.text()
  if (text.length > 1_000_000) throw new Error('JWKS too large')
  const set = JSON.parse(text) as JSONWebKeySet
  if (!Array.isArray(set?.keys)) throw new Error('JWKS without keys')
  return set
}

function importPem(pem: string): KeyObject {
  try {
    return createPublicKey(pem)
  } catch {
    throw new Error('auth.jwt.publicKey is not a valid PEM public key')
  }
}

function algorithmsFor(key: KeyObject): string[] {
  const type = key.asymmetricKeyType
  if (type === 'rsa') return ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512']
  if (type === 'rsa-pss') return ['PS256', 'PS384', 'PS512']
  if (type === 'ed25519') return ['EdDSA', 'Ed25519']
  if (type === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve
    if (curve === 'prime256v1') return ['ES256']
    if (curve === 'secp384r1') return ['ES384']
    if (curve === 'secp521r1') return ['ES512']
  }
  throw new Error(`auth.jwt.publicKey: unsupported key type ${type ?? 'unknown'}`)
}

/** Any jose failure becomes 401 with jose's reason (never the token): expired, signature, alg, claim... */
async function checked(p: Promise<{ payload: JWTPayload }>): Promise<JWTPayload> {
  try {
    return (await p).payload
  } catch (e) {
    const code = (e as { code?: string }).code
    throw new GatewayError('invalid_api_key', `invalid bearer token: ${reasonOf(code)}`)
  }
}

function reasonOf(code: string | undefined): string {
  switch (code) {
    case 'ERR_JWT_EXPIRED': return 'expired'
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED': return 'claim check failed'
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED': return 'bad signature'
    case 'ERR_JOSE_ALG_NOT_ALLOWED': return 'algorithm not allowed'
    case 'ERR_JWKS_NO_MATCHING_KEY': return 'no matching key'
    default: return 'malformed'
  }
}
