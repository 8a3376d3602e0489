/** The experiment wrapper (SPEC §3 experiments): picks the variant, says so (x-llmgw-variant), routes to its model. */
import type { Call, CompiledModel } from './call.js'

/** A stage: reads and writes the Call. */
export type Step = (call: Call) => Promise<void>
/** A wrapper (cache, experiment): takes the stage it runs around (undici's compose). */
export type Wrap = (next: Step) => Step

/** null when the model has no experiment: no code on its path. */
export function compileExperimentWrap(model: CompiledModel): Wrap | null {
  const exp = model.experiment
  if (exp === undefined) return null
  return (next) => (call) => {
    const v = exp.runtime.pick(call.cx!)
    call.variant = v.name
    call.cx!.headers.push(['x-llmgw-variant', v.name])
    call.route = exp.models[v.index] ?? model
    return next(call)
  }
}
