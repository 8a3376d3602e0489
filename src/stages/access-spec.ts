/** The Spec's keys/auth/limits and providers[] mapped onto the stages' plain config types (SPEC §3), at compile time. */
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import type { AuthSpec, KeySpec, LimitsSpec, ProviderSpec } from '../spec/schema.js'
import type { AccessConfig, JwtConfig, ProviderGuardConfig } from './access-config.js'

/** `baseDir`: the spec file's folder, for auth.jwt.publicKeyFile. */
export function accessConfigOf(
  spec: { readonly keys: readonly KeySpec[]; readonly auth: AuthSpec; readonly limits: LimitsSpec },
  opts: { baseDir?: string } = {},
): AccessConfig {
  return {
    keys: spec.keys.map((k) => ({
      id: k.id,
      key: k.key,
      hash: k.hash,
      models: k.models,
      limits: k.limits,
      budget: k.budget,
      expires: k.expires,
      metadata: k.metadata,
    })),
    auth: { required: spec.auth.required ?? (spec.keys.length > 0 || spec.auth.jwt !== undefined), jwt: jwtOf(spec.auth.jwt, opts.baseDir) },
    limits: spec.limits,
  }
}

function jwtOf(j: AuthSpec['jwt'], baseDir = process.cwd()): JwtConfig | undefined {
  if (!j) return undefined
  let publicKey = j.publicKey
  if (j.publicKeyFile !== undefined) {
    try {
      publicKey = readFileSync(resolve(baseDir, j.publicKeyFile), 'utf8')
    } catch {
      throw new Error(`auth.jwt.publicKeyFile: cannot read ${j.publicKeyFile}`)
    }
  }
  return {
    issuer: j.issuer,
    audience: j.audience,
    jwksUrl: j.jwksUrl,
    secret: j.secret,
    publicKey,
    keyClaim: j.keyClaim,
    clockToleranceMs: j.clockTolerance,
  }
}

export function guardConfigOf(p: ProviderSpec): ProviderGuardConfig {
  return {
    maxInFlight: p.maxInFlight,
    queue: { size: p.queue.size, timeoutMs: p.queue.timeout },
    breaker: p.breaker && {
      failureRate: p.breaker.failureRate,
      minRequests: p.breaker.minRequests,
      windowMs: p.breaker.window,
      cooldownMs: p.breaker.cooldown,
      halfOpenProbes: p.breaker.halfOpenProbes,
    },
  }
}
