/** Spec -> Plan (STYLE §2.1): one pure step between the validated spec and compileGateway; `lint --explain` prints its result. */
import type { Spec } from '../spec/schema.js'
import { specVersion } from '../spec/version.js'
import { planAccess, planProvider } from './plan-access.js'
import { planExperiments, planHeaderNames, planModels, planRules } from './plan-models.js'
import type { Plan } from './plan.js'

/** Pure: the same Spec gives a deep-equal Plan. `version` is LoadResult.version when the caller has it (saves a hash). */
export function planGateway(spec: Spec, version: string = specVersion(spec)): Plan {
  const s = spec.server
  const models = planModels(spec)
  return {
    version,
    server: {
      host: s.host,
      port: s.port,
      maxBodyBytes: s.maxBodySize,
      requestTimeoutMs: s.requestTimeout,
      workers: s.workers,
      shutdownGraceMs: s.shutdownGrace,
      sseKeepaliveMs: s.sseKeepalive,
    },
    admin: { port: spec.admin.port, token: spec.admin.token },
    providers: spec.providers.map(planProvider),
    models,
    access: planAccess(spec),
    rules: planRules(spec.rules),
    experiments: planExperiments(spec.experiments),
    batching: { embeddings: spec.batching.embeddings ? { maxBatch: spec.batching.embeddings.maxBatch, maxWaitMs: spec.batching.embeddings.maxWait } : undefined },
    headerNames: planHeaderNames(spec, models),
  }
}
