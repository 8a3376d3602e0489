/** Semantic lint over a validated spec (SPEC §2 lint): the rule list and their problems with positions. */
import { formatPath, type Locator, type SpecProblem } from '../problems.js'
import type { Spec } from '../schema.js'
import { adminPortConflict } from './admin-port-conflict.js'
import { authWithoutCredentials } from './auth-without-credentials.js'
import { budgetWithoutPricing } from './budget-without-pricing.js'
import { contentFilterWithoutWords } from './content-filter-without-words.js'
import { degradeStaleWithoutCache } from './degrade-stale-without-cache.js'
import { denyWithoutCondition } from './deny-without-condition.js'
import { duplicateKeyValue } from './duplicate-key-value.js'
import { duplicateName } from './duplicate-name.js'
import { experimentUnknownModel } from './experiment-unknown-model.js'
import { fallbackCycle } from './fallback-cycle.js'
import { graphqlMapping } from './graphql-mapping.js'
import { grpcMapping } from './grpc-mapping.js'
import { keyAllowsNoModel } from './key-allows-no-model.js'
import { maxInflightOverConnections } from './max-inflight-over-connections.js'
import { missingFile } from './missing-file.js'
import { missingTimeout } from './missing-timeout.js'
import { nonPositiveWeight } from './non-positive-weight.js'
import { plaintextSecret } from './plaintext-secret.js'
import { pluginModule } from './plugin-module.js'
import { redisWithoutUrl } from './redis-without-url.js'
import { onUnavailableWithoutRedis } from './on-unavailable-without-redis.js'
import { timeoutOverRequestTimeout } from './timeout-over-request-timeout.js'
import type { LintRule } from './types.js'
import { unknownModel } from './unknown-model.js'
import { unknownProvider } from './unknown-provider.js'
import { unusedProvider } from './unused-provider.js'

export const LINT_RULES: readonly LintRule[] = [
  unknownProvider,
  unknownModel,
  experimentUnknownModel,
  fallbackCycle,
  duplicateName,
  duplicateKeyValue,
  nonPositiveWeight,
  keyAllowsNoModel,
  redisWithoutUrl,
  onUnavailableWithoutRedis,
  authWithoutCredentials,
  adminPortConflict,
  contentFilterWithoutWords,
  missingFile,
  plaintextSecret,
  missingTimeout,
  maxInflightOverConnections,
  unusedProvider,
  budgetWithoutPricing,
  timeoutOverRequestTimeout,
  denyWithoutCondition,
  grpcMapping,
  graphqlMapping,
  degradeStaleWithoutCache,
  pluginModule,
]

export interface LintInput {
  spec: Spec
  /** The document before interpolation. */
  raw: unknown
  file: string
  locate: Locator
}

/** Runs every rule; a rule that throws is a bug in llmgw, reported as a problem rather than a crash. */
export function lintSpec(input: LintInput): SpecProblem[] {
  const out: SpecProblem[] = []
  for (const rule of LINT_RULES) {
    let findings
    try {
      findings = rule.check({ spec: input.spec, raw: input.raw })
    } catch (e) {
      out.push({ file: input.file, line: 1, col: 1, rule: rule.id, severity: 'error', message: `internal error in rule: ${String(e)}` })
      continue
    }
    for (const f of findings) {
      const { line, col } = input.locate(f.path, f.at)
      const where = formatPath(f.path)
      out.push({ file: input.file, line, col, rule: rule.id, severity: rule.severity, message: where ? `${where}: ${f.message}` : f.message })
    }
  }
  return out
}

export type { LintRule } from './types.js'
