/** Access control composed once: authentication plus one admission Guard for every limit that applies (SPEC §3, §7). */
import type { CallContext, Guard } from '../core/pipeline.js'
import type { MaybePromise } from '../core/types.js'
import { GatewayError } from '../core/errors.js'
import { isPromise } from '../core/sync.js'
import type { Store } from '../state/types.js'
import type { AccessConfig } from './access-config.js'
import { commit, newAdmission, rollback, runSteps, type Admission, type AdmissionStep, type OnRejected } from './admission.js'
import { AUTH_HEADER_NAMES, compileAuth, type Authenticate } from './auth.js'
import { compileBudget } from './budget.js'
import { compileCaller, KeyCaller } from './caller.js'
import { compileConcurrency } from './concurrency.js'
import { compileGlobalLimit } from './global-limit.js'
import { compileIpLimit } from './ip-limit.js'
import { createJwtVerifier, type JwtOptions } from './jwt.js'
import { compileKeyLimit } from './key-limit.js'

export interface AccessDeps {
  readonly store: Store
  /** Called once per refusal with the limit's scope (llmgw_ratelimit_rejections_total{scope}). */
  readonly onRejected?: OnRejected
  readonly jwt?: JwtOptions
  readonly clock?: () => number
}

export interface Access {
  /** null when there are no keys, no JWT and auth is not required: every caller is anonymous, no code runs. */
  readonly authenticate: Authenticate | null
  /** Runs after the model is resolved; null when no limit and no model scope is configured. */
  readonly admit: Guard | null
  /** Request headers to copy into Exchange.headers. */
  readonly headerNames: readonly string[]
  /** Stop background work (JWKS refresh) when this compiled spec is retired. */
  close(): void
}

const NONE: readonly AdmissionStep[] = []

/*
 * Order of checks: model scope (403, consumes nothing), global rps and concurrency, per-IP rpm, tpm and concurrency,
 * then the key's rpm, tpm, budget and concurrency. Each reserves as it passes; a refusal undoes the earlier
 * reservations, so a refused request leaves every window as it found it. Reservation happens here, at admission, never after the response: 100 concurrent
 * requests against a limit of 10 see 10 admissions, because the 11th finds the first ten already counted.
 */
export function compileAccess(cfg: AccessConfig, deps: AccessDeps): Access {
  const limitDeps = { store: deps.store, onRejected: deps.onRejected }
  const callers = new Map<string, KeyCaller>()
  let anyKeyChecks = false
  for (const key of cfg.keys ?? []) {
    if (callers.has(key.id)) throw new Error(`keys: duplicate id ${key.id}`)
    const caller = compileCaller(key)
    caller.steps = [
      ...compileKeyLimit(key, limitDeps),
      compileBudget(key, limitDeps),
      compileConcurrency(key, limitDeps),
    ].filter((s): s is AdmissionStep => s !== null)
    anyKeyChecks ||= caller.steps.length > 0 || caller.isScoped
    callers.set(key.id, caller)
  }
  const jwt = cfg.auth?.jwt ? createJwtVerifier(cfg.auth.jwt, deps.jwt) : null
  const authenticate = compileAuth(cfg, { jwt, callers, clock: deps.clock })
  const shared = [...compileGlobalLimit(cfg.limits, limitDeps), ...compileIpLimit(cfg.limits, limitDeps)]
  const admit = shared.length === 0 && !anyKeyChecks ? null : compileAdmit(shared, deps.clock ?? Date.now)
  return {
    authenticate,
    admit,
    headerNames: authenticate ? AUTH_HEADER_NAMES : [],
    close: () => jwt?.close(),
  }
}

function compileAdmit(shared: readonly AdmissionStep[], clock: () => number): Guard {
  return (cx) => {
    const caller = cx.caller
    let own = NONE
    if (caller instanceof KeyCaller) {
      if (caller.isScoped && !caller.allows(cx.model)) {
        throw new GatewayError('model_not_allowed', `key ${caller.keyId} may not use model ${cx.model}`)
      }
      own = caller.steps
    }
    if (shared.length === 0 && own.length === 0) return
    const a = newAdmission(clock())
    const first = runSteps(shared, 0, cx, a)
    if (isPromise(first)) return first.then((err) => (err ? rollback(a, err) : finishOwn(own, cx, a, clock)))
    if (first) rollback(a, first)
    return finishOwn(own, cx, a, clock)
  }
}

function finishOwn(own: readonly AdmissionStep[], cx: CallContext, a: Admission, clock: () => number): MaybePromise<void> {
  const r = runSteps(own, 0, cx, a)
  if (isPromise(r)) return r.then((err) => (err ? rollback(a, err) : commit(cx, a, clock)))
  if (r) rollback(a, r)
  commit(cx, a, clock)
}
