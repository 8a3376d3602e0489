/** The model table (SPEC §3 models): exact names in a Map, glob names compiled once; unknown -> 404 model_not_found. */
import { GatewayError } from '../core/errors.js'
import { compileGlobs } from '../core/glob.js'
import type { Guard } from '../core/pipeline.js'
import type { ProviderClient } from '../providers/types.js'
import type { CompiledModel } from './call.js'
import type { ModelPlan } from './plan.js'
import { compileRetryable } from './retry.js'
import { compileDegrade } from './degrade.js'
import { compilePicker, createTarget } from './target.js'

export interface ModelTable {
  /** HOT PATH: Map lookup first; glob models (in spec order) only for names not found exactly. */
  resolve(name: string): CompiledModel | undefined
  /** Public, non-glob names in spec order (GET /v1/models). */
  readonly names: readonly string[]
  readonly models: readonly CompiledModel[]
}

export interface ProviderHandle {
  readonly client: ProviderClient
  readonly timeoutMs: number
}

export function compileModelTable(
  plans: readonly ModelPlan[],
  providers: ReadonlyMap<string, ProviderHandle>,
  guardsFor: (m: ModelPlan) => readonly Guard[],
): ModelTable {
  const models = plans.map((m): CompiledModel => {
    const targets = m.targets.map((t) => {
      const p = providers.get(t.provider)
      if (!p) throw new Error(`model '${m.name}': unknown provider '${t.provider}' (the spec loader should have refused this)`)
      return createTarget(t, p.client, p.timeoutMs, m)
    })
    return {
      name: m.name, plan: m, pick: compilePicker(m.strategy, targets), retryable: compileRetryable(m.retry), guards: guardsFor(m), chain: [],
      response: null, cache: undefined, experiment: undefined, degrade: compileDegrade(m),
    }
  })
  const byName = new Map(models.map((m) => [m.name, m]))
  for (const m of models) m.chain = m.plan.chain.map((n) => byName.get(n)).filter((x): x is CompiledModel => x !== undefined)
  const exact = new Map(models.filter((m) => !m.plan.isGlob).map((m) => [m.name, m]))
  const globs = models.filter((m) => m.plan.isGlob).map((m) => ({ test: compileGlobs([m.name]), model: m }))
  const resolve =
    globs.length === 0
      ? (name: string) => exact.get(name)
      : (name: string) => {
          const m = exact.get(name)
          if (m !== undefined) return m
          for (const g of globs) if (g.test(name)) return g.model
          return undefined
        }
  return { resolve, names: [...exact.keys()], models }
}

export function modelNotFound(name: string): GatewayError {
  // The name is the client's own input: cap it so a huge value cannot bloat the error body.
  const shown = name.length > 200 ? `${name.slice(0, 200)}...` : name
  return new GatewayError('model_not_found', `The model '${shown}' does not exist`, { param: 'model' })
}
