/** Access control composed once: authentication plus one admission Guard for every limit that applies (SPEC §3, §7). */
import type { CallContext, Guard } from '../core/pipeline.js'
import type { MaybePromise } from '../core/types.js'
import { GatewayError } from '../core/errors.js'
import { isPromise } from '../core/sync.js'
import type { Store } from '../state/types.js'
import type { AccessConfig, KeyConfig } from './access-config.js'
import { commit, newAdmission, rollback, runSteps, type Admission, type AdmissionStep, type OnRejected } from './admission.js'
import { AUTH_HEADER_NAMES, compileAuth, type Authenticate } from './auth.js'
import { compileBudget } from './budget.js'
import { compileCaller, KeyCaller } from './caller.js'
import { compileConcurrency } from './concurrency.js'
import { compileGlobalLimit } from './global-limit.js'
import { compileIpLimit } from './ip-limit.js'
import { createJwtVerifier, type JwtOptions } from './jwt.js'
import { compileKeyLimit, type LimitDeps } from './key-limit.js'

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
  const limitDeps: LimitDeps = { store: deps.store, onRejected: deps.onRejected }
  const callers = new Map<string, KeyCaller>()
  let anyKeyChecks = false
  for (const key of cfg.keys ?? []) {
    if (callers.has(key.id)) throw new Error(`keys: duplicate id ${key.id}`)
    checkKeyLimits(key)
    // The key's steps and limit state are built on its first admission (keyStepsOf): compile stays O(keys) with
    // one object per key, and the state found then is the same entry an earlier compile used (identity = id + limit).
    const caller = compileCaller(key)
    anyKeyChecks ||= caller.steps === null || caller.isScoped
    callers.set(key.id, caller)
  }
  const jwt = cfg.auth?.jwt ? createJwtVerifier(cfg.auth.jwt, deps.jwt) : null
  const authenticate = compileAuth(cfg, { jwt, callers, clock: deps.clock })
  const shared = [...compileGlobalLimit(cfg.limits, limitDeps), ...compileIpLimit(cfg.limits, limitDeps)]
  const admit = shared.length === 0 && !anyKeyChecks ? null : compileAdmit(shared, limitDeps, deps.clock ?? Date.now)
  return {
    authenticate,
    admit,
    headerNames: authenticate ? AUTH_HEADER_NAMES : [],
    close: () => jwt?.close(),
  }
}

/** The key's own checks in order rpm, tpm, budget, concurrency (each absent when unset). Once per key, on first use. */
export function keyStepsOf(key: KeyConfig, deps: LimitDeps): readonly AdmissionStep[] {
  return [...compileKeyLimit(key, deps), compileBudget(key, deps), compileConcurrency(key, deps)].filter((s): s is AdmissionStep => s !== null)
}

/** The checks the stores would make when the state is created, made here at compile time (a bad limit fails the reload). */
function checkKeyLimits(key: KeyConfig): void {
  const l = key.limits
  if (l !== undefined) {
    for (const name of ['rpm', 'tpm', 'concurrency'] as const) {
      const v = l[name]
      if (v !== undefined && !(v > 0 && Number.isFinite(v))) throw new Error(`keys[${key.id}].limits.${name}: limit must be a positive number, got ${v}`)
    }
  }
  const usd = key.budget?.usd
  if (usd !== undefined && !(usd >= 0 && Number.isFinite(usd))) throw new Error(`keys[${key.id}].budget.usd: budget must be a finite number >= 0`)
}

function compileAdmit(shared: readonly AdmissionStep[], limitDeps: LimitDeps, clock: () => number): Guard {
  return (cx) => {
    const caller = cx.caller
    let own = NONE
    if (caller instanceof KeyCaller) {
      if (caller.isScoped && !caller.allows(cx.model)) {
        throw new GatewayError('model_not_allowed', `key ${caller.keyId} may not use model ${cx.model}`)
      }
      // null only before the key's first admission: its config is there (compileCaller), build its steps once.
      own = caller.steps ?? (caller.steps = keyStepsOf(caller.config!, limitDeps))
    }
    if (shared.length === 0 && own.length === 0) return
    const a = newAdmission(clock(), cx)
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
