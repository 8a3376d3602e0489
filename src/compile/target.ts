/** Targets and the strategies that pick one per attempt (SPEC §3 models[].strategy: weighted, least-inflight, priority). */
import type { HeaderPairs } from '../core/types.js'
import type { ProviderClient } from '../providers/types.js'
import { compileTranslators, type Translators } from '../translate/index.js'
import type { ModelPlan } from './plan.js'

/** A provider client that can tell routing to skip it (H5's breaker wrapper implements this when open). */
export interface AvailabilityAware {
  isAvailable?(): boolean
}

export interface RuntimeTarget {
  readonly provider: string
  readonly client: ProviderClient & AvailabilityAware
  /** Upstream model; '*' = pass the client's model name through (glob models). */
  readonly model: string
  readonly weight: number
  /** Attempt timeout: the provider's, capped by the model's. */
  readonly timeoutMs: number
  /** Per client endpoint, how a request reaches this provider (src/translate/), chosen once here. */
  readonly translators: Translators
  /** x-llmgw-provider / x-llmgw-model, built once. */
  readonly headers: HeaderPairs
  /** Attempts running now (least-inflight reads it). */
  inflight: number
  /** Smooth weighted round robin state. */
  current: number
}

/** Pick a target for the next attempt, preferring ones not tried yet; undefined when none is available. */
export type Picker = (tried: readonly RuntimeTarget[] | undefined) => RuntimeTarget | undefined

export function createTarget(
  t: { provider: string; model: string; weight: number },
  client: ProviderClient,
  providerTimeoutMs: number,
  m: ModelPlan,
): RuntimeTarget {
  const timeoutMs = m.timeoutMs === undefined ? providerTimeoutMs : Math.min(providerTimeoutMs, m.timeoutMs)
  const headers: HeaderPairs = t.model === '*' ? [['x-llmgw-provider', t.provider]] : [['x-llmgw-provider', t.provider], ['x-llmgw-model', t.model]]
  const translators = compileTranslators(client)
  return { provider: t.provider, client, model: t.model, weight: Math.max(0, t.weight), timeoutMs, translators, headers, inflight: 0, current: 0 }
}

const usable = (t: RuntimeTarget, tried: readonly RuntimeTarget[] | undefined): boolean =>
  (tried === undefined || !tried.includes(t)) && t.client.isAvailable?.() !== false

/** Candidates: available and untried; else available (a retry may reuse a target); else none. */
function candidates(targets: readonly RuntimeTarget[], tried: readonly RuntimeTarget[] | undefined): readonly RuntimeTarget[] {
  const fresh = targets.filter((t) => usable(t, tried))
  if (fresh.length > 0 || tried === undefined) return fresh
  return targets.filter((t) => usable(t, undefined))
}

export function compilePicker(strategy: ModelPlan['strategy'], targets: readonly RuntimeTarget[]): Picker {
  if (targets.length === 1) {
    const only = targets[0]!
    return () => (only.client.isAvailable?.() === false ? undefined : only)
  }
  switch (strategy) {
    case 'priority':
      return (tried) => candidates(targets, tried)[0]
    case 'least-inflight':
      return (tried) => {
        let best: RuntimeTarget | undefined
        for (const t of candidates(targets, tried)) if (best === undefined || t.inflight < best.inflight) best = t
        return best
      }
    case 'weighted':
      return (tried) => pickSmoothWeighted(candidates(targets, tried))
  }
}

/** nginx's smooth weighted round robin: exact proportions, no bursts, no randomness (deterministic in tests). */
function pickSmoothWeighted(cands: readonly RuntimeTarget[]): RuntimeTarget | undefined {
  let total = 0
  let best: RuntimeTarget | undefined
  for (const t of cands) {
    t.current += t.weight
    total += t.weight
    if (best === undefined || t.current > best.current) best = t
  }
  if (best !== undefined) best.current -= total
  return best
}
