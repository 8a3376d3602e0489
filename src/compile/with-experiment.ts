/** The experiment wrapper (SPEC §3 experiments): picks the variant, says so (x-llmgw-variant), routes to its model. */
import type { Call, CompiledModel } from './call.js'

/** A stage: reads and writes the Call; a wrapper takes the stage it runs around. */
export type Step = (call: Call) => Promise<void>

export function withExperiment(model: CompiledModel, next: Step): Step {
  const exp = model.experiment
  if (exp === undefined) return next
  return (call) => {
    const v = exp.runtime.pick(call.cx!)
    call.variant = v.name
    call.cx!.headers.push(['x-llmgw-variant', v.name])
    call.route = exp.models[v.index] ?? model
    return next(call)
  }
}
