/** Plan -> access control and provider protection (SPEC §3 keys, auth, limits, providers[].maxInFlight/queue/breaker; §7). */
import { readFileSync } from 'node:fs'
import type { Guard } from '../core/pipeline.js'
import type { ProviderClient } from '../providers/types.js'
import type { AccessConfig } from '../stages/access-config.js'
import { compileAccess } from '../stages/access.js'
import type { OnRejected } from '../stages/admission.js'
import type { Authenticate } from '../stages/auth.js'
import { type GuardedProvider, wrapProvider } from '../stages/provider-guard.js'
import type { Registry } from '../state/registry.js'
import type { Store } from '../state/types.js'
import type { AccessPlan, ProviderPlan } from './plan.js'

/** State that outlives one compiled Plan (limits, budgets, breakers carry over across reloads, SPEC §6). */
export interface ProtectionState {
  readonly store: Store
  readonly registry: Registry
  /** llmgw_ratelimit_rejections_total{scope}: a handle bound once per scope by the caller, called per refusal. */
  readonly onRejected?: OnRejected
}

export interface Protection {
  /** undefined: no keys, no JWT, auth not required (every caller is anonymous, no code runs). */
  readonly authenticate: Authenticate | undefined
  /** Run for every proxied request after the model check (limits, budgets, model scopes). */
  readonly admission: readonly Guard[]
  /** The provider's client in its queue and breaker; the guard is kept in `guarded` for the dashboard. */
  wrap(client: ProviderClient, p: ProviderPlan): GuardedProvider
  readonly guarded: ReadonlyMap<string, GuardedProvider>
  /** Stop background work (JWKS refresh) when the compiled Plan is retired. */
  close(): void
}

/** The one file read here is auth.jwt.publicKeyFile, once, at compile time. */
export function compileAccessConfig(a: AccessPlan): AccessConfig {
  const jwt = a.auth.jwt
  if (jwt?.publicKeyFile === undefined) return a
  const { publicKeyFile, ...rest } = jwt
  return { ...a, auth: { ...a.auth, jwt: { ...rest, publicKey: readFileSync(publicKeyFile, 'utf8') } } }
}

export function compileProtection(access: AccessPlan, state: ProtectionState): Protection {
  const compiled = compileAccess(compileAccessConfig(access), { store: state.store, ...(state.onRejected ? { onRejected: state.onRejected } : {}) })
  const guarded = new Map<string, GuardedProvider>()
  return {
    authenticate: compiled.authenticate ?? undefined,
    admission: compiled.admit ? [compiled.admit] : [],
    guarded,
    wrap(client, p) {
      const g = wrapProvider(client, p.guard, { registry: state.registry, identity: p.guardIdentity })
      guarded.set(p.name, g)
      return g
    },
    close: () => compiled.close(),
  }
}
