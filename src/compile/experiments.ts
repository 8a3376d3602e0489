/** SPEC §3 `experiments` (Plan.experiments): attach each to its model, with a compiled model per variant that has a target. */
import { createExperiment } from '../stages/experiment.js'
import type { Registry } from '../state/registry.js'
import type { CompiledModel } from './call.js'
import type { ModelTable, ProviderHandle } from './model.js'
import type { ExperimentPlan } from './plan.js'
import { compilePicker, createTarget } from './target.js'

export type RollbackNotice = (experiment: string, variant: string, why: string) => void

/**
 * A variant with a `target` is the model with that single target (same retries, same fallbacks after it); a variant
 * without one is the model itself. Unknown models or providers were refused by the loader's lint rules.
 */
export function attachExperiments(
  experiments: readonly ExperimentPlan[],
  table: ModelTable,
  providers: ReadonlyMap<string, ProviderHandle>,
  deps: { registry: Registry; onRollback?: RollbackNotice },
): void {
  for (const e of experiments) {
    const base = table.resolve(e.model)
    if (base === undefined || base.experiment !== undefined) continue
    const models = e.targets.map((target): CompiledModel | undefined => {
      if (target === undefined) return undefined
      const p = providers.get(target.provider)
      if (p === undefined) return undefined
      const t = createTarget(target, p.client, p.timeoutMs, base.plan)
      const variant: CompiledModel = { ...base, pick: compilePicker('priority', [t]), experiment: undefined, chain: [] }
      variant.chain = [variant, ...base.chain.slice(1)]
      return variant
    })
    // Kept across reloads by the experiment's whole config (ExperimentPlan.identity): a variant rolled back stays
    // rolled back through unrelated edits (a reload must not send traffic back to a canary that failed).
    const runtime = deps.registry.keep(e.identity, () => createExperiment(e.split, deps.onRollback))
    base.experiment = { runtime, models }
  }
}
