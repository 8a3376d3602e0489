/** API-key and JWT authentication: the presented key is hashed once and looked up by hash (SPEC §3 keys, auth). */
import { hash } from 'node:crypto'
import type { Caller } from '../core/pipeline.js'
import type { Exchange, MaybePromise } from '../core/types.js'
import { GatewayError } from '../core/errors.js'
import type { AccessConfig, KeyConfig } from './access-config.js'
import { compileCaller, createAnonymousCaller, type KeyCaller } from './caller.js'
import { looksLikeJwt, MAX_TOKEN_CHARS, type JwtVerifier } from './jwt.js'

export type Authenticate = (ex: Exchange) => MaybePromise<Caller | undefined>

export interface AuthDeps {
  /** The JWT verifier when auth.jwt is set (stages/jwt.ts createJwtVerifier). */
  jwt?: JwtVerifier | null
  /** Callers already compiled per keys[].id (compileAccess attaches their limits); built here when absent. */
  callers?: ReadonlyMap<string, KeyCaller>
  clock?: () => number
}

/** Request headers auth reads; compile/ adds them to Gateway.headerNames. */
export const AUTH_HEADER_NAMES = ['authorization', 'x-api-key'] as const

const HASH_PREFIX = 'sha256:'
const HEX64 = /^[0-9a-f]{64}$/

/*
 * Constant time with respect to the key's contents: the presented key is hashed (sha256, once) and the digest is
 * a Map lookup. A timing difference can only reveal something about the digest, which does not help to guess the key.
 */
export function compileAuth(cfg: AccessConfig, deps: AuthDeps = {}): Authenticate | null {
  const keys = cfg.keys ?? []
  const required = cfg.auth?.required ?? keys.length > 0
  const jwt = deps.jwt ?? null
  if (keys.length === 0 && !jwt && !required) return null
  const clock = deps.clock ?? Date.now
  const callers = deps.callers ?? new Map(keys.map((k) => [k.id, compileCaller(k)]))
  const byHash = new Map<string, KeyCaller>()
  for (const k of keys) {
    const hex = digestOf(k)
    if (byHash.has(hex)) throw new Error(`keys[${k.id}]: the same key is configured twice`)
    byHash.set(hex, callers.get(k.id) ?? compileCaller(k))
  }
  const anonymous = required ? undefined : createAnonymousCaller()
  const keyClaim = cfg.auth?.jwt?.keyClaim

  const admitKey = (caller: KeyCaller): KeyCaller => {
    if (caller.expiresAt !== Infinity && clock() >= caller.expiresAt) throw refused('API key expired')
    return caller
  }

  const viaJwt = (token: string): Promise<Caller> =>
    jwt!.verify(token).then((claims) => {
      if (!keyClaim) return createAnonymousCaller(typeof claims.sub === 'string' ? Object.freeze({ sub: claims.sub }) : undefined)
      const id = claims[keyClaim]
      const caller = typeof id === 'string' ? callers.get(id) : undefined
      if (!caller) throw refused(`bearer token's ${keyClaim} names no configured key`)
      return admitKey(caller)
    })

  return (ex) => {
    const token = presentedToken(ex.headers['authorization'], ex.headers['x-api-key'])
    if (token === undefined) {
      if (anonymous) return anonymous
      throw refused('missing API key: send "Authorization: Bearer <key>" or "x-api-key"')
    }
    if (token.length === 0 || token.length > MAX_TOKEN_CHARS) throw refused('invalid API key')
    // crypto.hash: one-shot, ~3x cheaper than createHash().update().digest() (bench/limits/README.md).
    const caller = byHash.get(hash('sha256', token, 'hex'))
    if (caller) return admitKey(caller)
    if (jwt && looksLikeJwt(token)) return viaJwt(token)
    throw refused('invalid API key')
  }
}

/** "Bearer <token>" (scheme case-insensitive) or x-api-key; undefined when neither header is there. */
function presentedToken(authorization: string | undefined, apiKey: string | undefined): string | undefined {
  if (authorization !== undefined && authorization.length > 0) {
    if (authorization.length > MAX_TOKEN_CHARS + 7) return ''
    const space = authorization.indexOf(' ')
    if (space < 0 || authorization.slice(0, space).toLowerCase() !== 'bearer') return ''
    return authorization.slice(space + 1).trim()
  }
  if (apiKey !== undefined && apiKey.length > 0) return apiKey.trim()
  return undefined
}

function digestOf(k: KeyConfig): string {
  if (k.key && !k.key.isEmpty) return hash('sha256', k.key.reveal(), 'hex')
  const hex = k.hash?.startsWith(HASH_PREFIX) ? k.hash.slice(HASH_PREFIX.length).toLowerCase() : undefined
  if (hex && HEX64.test(hex)) return hex
  throw new Error(`keys[${k.id}]: needs key or hash: sha256:<64 hex digits>`)
}

/** The message never includes what was presented. */
function refused(message: string): GatewayError {
  return new GatewayError('invalid_api_key', message)
}
