/** SPEC §3 `experiments`: attach each experiment to its model, with a compiled model per variant that has a target. */
import type { ExperimentSpec } from '../spec/schema.js'
import { createExperiment } from '../stages/experiment.js'
import type { Registry } from '../state/registry.js'
import { formatIdentity } from './identity.js'
import type { CompiledModel } from './call.js'
import type { ModelTable, ProviderHandle } from './model.js'
import { compilePicker, createTarget } from './target.js'

export type RollbackNotice = (experiment: string, variant: string, why: string) => void

/**
 * A variant with a `target` is the model with that single target (same retries, same fallbacks after it); a variant
 * without one is the model itself. Unknown models or providers were refused by the loader's lint rules.
 */
export function attachExperiments(
  experiments: readonly ExperimentSpec[],
  table: ModelTable,
  providers: ReadonlyMap<string, ProviderHandle>,
  deps: { registry: Registry; onRollback?: RollbackNotice },
): void {
  for (const e of experiments) {
    const base = table.resolve(e.model)
    if (base === undefined || base.experiment !== undefined) continue
    const models = e.variants.map((v): CompiledModel | undefined => {
      if (v.target === undefined) return undefined
      const p = providers.get(v.target.provider)
      if (p === undefined) return undefined
      const t = createTarget({ provider: v.target.provider, model: v.target.model, weight: 1 }, p.client, p.timeoutMs, base.plan)
      const variant: CompiledModel = { ...base, pick: compilePicker('priority', [t]), experiment: undefined, chain: [] }
      variant.chain = [variant, ...base.chain.slice(1)]
      return variant
    })
    // Kept across reloads by the experiment's whole config: a variant rolled back stays rolled back through unrelated
    // edits (a reload must not send traffic back to a canary that failed); an edited experiment starts fresh.
    const runtime = deps.registry.keep(formatIdentity(`experiment:${e.name}`, e), () => createExperiment(
      {
        name: e.name,
        stickyBy: e.stickyBy,
        variants: e.variants.map((v) => ({ name: v.name, weight: v.weight, hasTarget: v.target !== undefined })),
        ...(e.rollback
          ? { rollback: { minRequests: e.rollback.minRequests, windowMs: e.rollback.window, maxErrorRate: e.rollback.maxErrorRate, maxP95Ms: e.rollback.maxP95 } }
          : {}),
      },
      deps.onRollback,
    ))
    base.experiment = { runtime, models }
  }
}
