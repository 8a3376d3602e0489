/** `llmgw lint --explain` (issue 14): Spec -> Plan, printed; nothing is compiled or started. Loaded lazily by cli/lint.ts. */
import { formatPlanTree, planJson } from '../compile/explain.js'
import { planGateway } from '../compile/plan-gateway.js'
import type { Plan } from '../compile/plan.js'
import { loadSpecFile } from '../spec/load.js'

/**
 * The Plan of a spec file, or undefined when it does not load. The file is loaded here, not handed over from lint: lint
 * may run from its bundle (cli/lint-cold-start.ts), whose Secret class is not this module graph's, and identities hash
 * a Secret by its value only when it is recognised as one.
 */
export async function planFile(file: string, env: NodeJS.ProcessEnv = process.env): Promise<Plan | undefined> {
  const r = await loadSpecFile(file, env)
  return r.ok ? planGateway(r.spec, r.version) : undefined
}

/** The Plan as a tree for people. */
export const explainTree = formatPlanTree

/** The Plan as JSON data, secrets redacted as /admin/config shows them. */
export const explainJson = planJson
