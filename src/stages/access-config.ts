/** Plain input types for access control and provider protection (SPEC §3 keys, auth, limits, providers[]). Durations in ms. */
import type { Secret } from '../core/secret.js'
import type { BudgetPeriod } from '../state/types.js'

/*
 * These mirror the spec's shapes but are declared here so stages do not depend on the zod schema's inferred types
 * while it evolves; compile/ maps the Spec onto them (field names are the spec's, durations already in ms).
 */
export interface KeyConfig {
  readonly id: string
  /** The key itself (usually from ${env:...}); or give `hash`. */
  readonly key?: Secret
  /** "sha256:<64 hex>" of the key, as `llmgw keys hash` prints it. */
  readonly hash?: string
  /** Public model globs this key may use; absent = all. */
  readonly models?: readonly string[]
  readonly limits?: { readonly rpm?: number; readonly tpm?: number; readonly concurrency?: number }
  readonly budget?: { readonly usd: number; readonly per: BudgetPeriod }
  /** A Date or an ISO-8601 string (the spec's form). */
  readonly expires?: Date | string
  readonly metadata?: Readonly<Record<string, string>>
}

export interface JwtConfig {
  readonly issuer?: string
  readonly audience?: string | readonly string[]
  readonly jwksUrl?: string
  /** HS256 shared secret. */
  readonly secret?: Secret
  /** PEM public key (RSA or EC: RS256/ES256...). */
  readonly publicKey?: string
  /** Claim whose value selects keys[].id for scopes and limits. */
  readonly keyClaim?: string
  /** Allowed clock skew for exp/nbf; default 30 s. */
  readonly clockToleranceMs?: number
}

export interface AuthConfig {
  readonly required: boolean
  readonly jwt?: JwtConfig
}

export interface LimitsConfig {
  readonly perIp?: { readonly rpm?: number; readonly tpm?: number; readonly concurrency?: number }
  readonly global?: { readonly rps?: number; readonly concurrency?: number }
}

export interface AccessConfig {
  readonly keys?: readonly KeyConfig[]
  readonly auth?: AuthConfig
  readonly limits?: LimitsConfig
}

export interface BreakerConfig {
  /** 0..1: the window's failure share above which the breaker opens. */
  readonly failureRate: number
  readonly minRequests: number
  readonly windowMs: number
  readonly cooldownMs: number
  readonly halfOpenProbes: number
}

export interface ProviderGuardConfig {
  readonly maxInFlight: number
  readonly queue: { readonly size: number; readonly timeoutMs: number }
  readonly breaker?: BreakerConfig
}
