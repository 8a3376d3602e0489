/** Spec -> the access-control and provider-protection hooks of CompileDeps (SPEC §3 keys, auth, limits, providers[].maxInFlight/queue/breaker). */
import { readFileSync } from 'node:fs'
import type { Spec } from '../spec/schema.js'
import type { AccessConfig, ProviderGuardConfig } from '../stages/access-config.js'
import { compileAccess } from '../stages/access.js'
import type { OnRejected } from '../stages/admission.js'
import { type GuardedProvider, wrapProvider } from '../stages/provider-guard.js'
import type { Registry } from '../state/registry.js'
import type { Store } from '../state/types.js'
import type { CompileDeps } from './gateway.js'
import { formatIdentity } from './identity.js'

/** State that outlives one compiled spec (limits, budgets, breakers carry over across reloads, SPEC §6). */
export interface ProtectionState {
  readonly store: Store
  readonly registry: Registry
  /** llmgw_ratelimit_rejections_total{scope}: a handle bound once per scope by the caller, called per refusal. */
  readonly onRejected?: OnRejected
  /** The response cache per models[].cache identity when the store shares one (state.store: redis). */
  readonly createCache?: CompileDeps['createCache']
}

export type ProtectionDeps = Pick<CompileDeps, 'authenticate' | 'guards' | 'wrapProvider' | 'headerNames' | 'createCache'> & {
  /** The providers wrapped so far (filled by compileGateway calling wrapProvider): the dashboard reads their state(). */
  readonly guarded: ReadonlyMap<string, GuardedProvider>
  close(): void
}

export function compileAccessConfig(spec: Spec): AccessConfig {
  const jwt = spec.auth.jwt
  return {
    // The validated entries already have KeyConfig's shape: no per-key copy.
    keys: spec.keys,
    auth: {
      required: spec.auth.required,
      ...(jwt
        ? {
            jwt: {
              ...(jwt.issuer ? { issuer: jwt.issuer } : {}),
              ...(jwt.audience ? { audience: jwt.audience } : {}),
              ...(jwt.jwksUrl ? { jwksUrl: jwt.jwksUrl } : {}),
              ...(jwt.secret ? { secret: jwt.secret } : {}),
              // Paths are absolute after load; the file is read once here, at compile time, never per request.
              ...(jwt.publicKey ? { publicKey: jwt.publicKey } : jwt.publicKeyFile ? { publicKey: readFileSync(jwt.publicKeyFile, 'utf8') } : {}),
              keyClaim: jwt.keyClaim,
              clockToleranceMs: jwt.clockTolerance,
            },
          }
        : {}),
    },
    limits: spec.limits,
  }
}

export function compileProtection(spec: Spec, state: ProtectionState): ProtectionDeps {
  const access = compileAccess(compileAccessConfig(spec), { store: state.store, ...(state.onRejected ? { onRejected: state.onRejected } : {}) })
  const guarded = new Map<string, GuardedProvider>()
  return {
    guarded,
    ...(access.authenticate ? { authenticate: access.authenticate } : {}),
    guards: { admission: access.admit ? [access.admit] : [] },
    headerNames: access.headerNames,
    ...(state.createCache ? { createCache: state.createCache } : {}),
    wrapProvider: (client, p) => {
      const cfg: ProviderGuardConfig = {
        maxInFlight: p.maxInFlight,
        queue: { size: p.queue.size, timeoutMs: p.queue.timeout },
        ...(p.breaker
          ? { breaker: { failureRate: p.breaker.failureRate, minRequests: p.breaker.minRequests, windowMs: p.breaker.window, cooldownMs: p.breaker.cooldown, halfOpenProbes: p.breaker.halfOpenProbes } }
          : {}),
      }
      const g = wrapProvider(client, cfg, { registry: state.registry, identity: formatIdentity(`guard:${p.name}`, cfg) })
      guarded.set(p.name, g)
      return g
    },
    close: () => access.close(),
  }
}
