/** `llmgw diff` core (SPEC §2): two validated specs in, classified rows out. Pure: no I/O, no secrets in the output. */
import type { Spec } from '../schema.js'
import { diffAuth, diffKeys, diffLimits } from './clients.js'
import { ChangeList } from './change-list.js'
import { diffExperiments, diffModels } from './models.js'
import { diffProviders } from './providers.js'
import { diffRules } from './rules.js'
import { diffAdmin, diffBatching, diffObservability, diffServer, diffState } from './settings.js'
import type { DiffRow } from './types.js'

export type { ChangeClass, ChangeKind, DiffRow, DiffSummary } from './types.js'
export { formatSummary, summarizeDiff } from './types.js'

/** Rows in a fixed section order (what clients notice first), entities in spec order; identical specs give []. */
export function diffSpecs(before: Spec, after: Spec): DiffRow[] {
  const c = new ChangeList()
  diffModels(c, before.models, after.models)
  diffKeys(c, before.keys, after.keys)
  diffAuth(c, before.auth, after.auth)
  diffLimits(c, before.limits, after.limits)
  diffRules(c, before.rules, after.rules)
  diffExperiments(c, before.experiments, after.experiments)
  diffProviders(c, before.providers, after.providers)
  diffServer(c, before.server, after.server)
  diffAdmin(c, before.admin, after.admin)
  diffState(c, before.state, after.state)
  diffBatching(c, before.batching, after.batching)
  diffObservability(c, before.observability, after.observability)
  return c.rows
}
