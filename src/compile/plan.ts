/**
 * The Plan's shape (STYLE §2.1, SPEC §3): every decision the runtime needs, resolved once from the Spec by
 * planGateway (plan-gateway.ts). Plain data: no functions, no back-references into the Spec, no I/O (files named in
 * the spec are read by compileGateway). Secrets stay wrapped in `Secret`, so JSON.stringify(plan) shows "[redacted]".
 */
import type { Secret } from '../core/secret.js'
import type { ProviderConfig } from '../providers/config.js'
import type { AccessConfig, JwtConfig, ProviderGuardConfig } from '../stages/access-config.js'
import type { BatchPlan } from '../stages/batch-embeddings.js'
import type { ContextPlan } from '../stages/context-trim.js'
import type { ExperimentPlan as VariantSplit } from '../stages/experiment.js'

export interface ProviderPlan {
  readonly name: string
  /** name + hash of the whole provider config: equal identity -> the client (pool) is reused across reloads. */
  readonly identity: string
  readonly config: ProviderConfig
  /** providers[].maxInFlight, queue, breaker (SPEC §3), durations in ms. */
  readonly guard: ProviderGuardConfig
  /** Registry identity of the guard: an unchanged guard keeps its breaker state across reloads (SPEC §6). */
  readonly guardIdentity: string
}

export interface TargetPlan {
  readonly provider: string
  /** The upstream model; '*' on a glob model means "the model name the client sent". */
  readonly model: string
  readonly weight: number
}

export interface RetryPlan {
  /** Total attempts on this model's targets (1 = no retry). */
  readonly attempts: number
  readonly backoffMs: number
  readonly statuses: readonly number[]
  readonly on5xx: boolean
  readonly on4xx: boolean
  readonly onTimeout: boolean
  readonly onConnect: boolean
}

export interface DegradePlan {
  /** The static answer, or undefined (stale only: no cached answer -> the SPEC error). */
  readonly message: string | undefined
  readonly stale: boolean
  readonly staleForMs: number
}

export interface CachePlan {
  readonly ttlMs: number
  /** models[].degrade.staleFor when degrade.stale is on, else 0: how long past ttlMs an entry is kept for stale answers. */
  readonly staleMs: number
  /** Same name, ttl and targets -> same store across reloads; other targets start empty (an old answer is not theirs). */
  readonly identity: string
}

/** One rule that applies (or may apply) to a model: an index into Plan.rules. */
export interface ModelRulePlan {
  readonly rule: number
  /** Globs the client's model name must match, checked per request; only for glob models. undefined = always applies. */
  readonly models: readonly string[] | undefined
}

export interface ModelPlan {
  readonly name: string
  readonly isGlob: boolean
  readonly targets: readonly TargetPlan[]
  readonly strategy: 'weighted' | 'least-inflight' | 'priority'
  readonly retry: RetryPlan
  /** This model, then its fallbacks depth-first, each public model at most once (cycle-safe). */
  readonly chain: readonly string[]
  /** Per-attempt cap; undefined = the provider's timeout alone. */
  readonly timeoutMs: number | undefined
  /** USD per 1M tokens. */
  readonly pricing: { readonly input: number; readonly output: number } | undefined
  readonly cache: CachePlan | undefined
  readonly context: ContextPlan | undefined
  /** Rules in spec order that apply to this model (deny rules always: they check `when.model` themselves). */
  readonly rules: readonly ModelRulePlan[]
  /** models[].degrade: when every target and fallback failed, the stale cached answer (stale), else the static one (message). */
  readonly degrade: DegradePlan | undefined
}

/** rules[] (SPEC §3) as data. A content filter's wordsFile is an absolute path, read when the Plan is compiled. */
export type RulePlan =
  | {
      readonly type: 'content-filter'
      readonly words: readonly string[]
      readonly wordsFile: string | undefined
      readonly action: 'block' | 'mask'
      readonly scope: readonly ('request' | 'response')[]
    }
  | { readonly type: 'system-prompt'; readonly text: string; readonly mode: 'prepend' | 'replace' }
  | {
      readonly type: 'deny'
      readonly when: { readonly model?: string; readonly header?: Readonly<Record<string, string>>; readonly key?: string; readonly ip?: string }
      readonly message: string
    }
  | {
      readonly type: 'plugin'
      /** rules[].name; undefined = the plugin's own name, else the file name (known once the module is loaded). */
      readonly name: string | undefined
      /** Absolute path of the module, imported when the Plan is compiled (compile/plugin-load.ts). */
      readonly module: string
      readonly options: Readonly<Record<string, unknown>>
    }

export interface ExperimentPlan {
  readonly name: string
  readonly model: string
  /** Over the whole experiment config: a rolled-back variant stays rolled back through unrelated edits; an edited experiment starts fresh. */
  readonly identity: string
  readonly split: VariantSplit
  /** Per variant: its single target, or undefined = the model's own targets. */
  readonly targets: readonly (TargetPlan | undefined)[]
}

/** auth.jwt with the public key still a path when given as publicKeyFile (read at compile, never per request). */
export type JwtPlan = JwtConfig & { readonly publicKeyFile?: string }

/** keys, auth and limits (SPEC §3, §7) in the shape stages/access.ts compiles. */
export interface AccessPlan extends AccessConfig {
  readonly keys: NonNullable<AccessConfig['keys']>
  readonly auth: { readonly required: boolean; readonly jwt?: JwtPlan }
  readonly limits: NonNullable<AccessConfig['limits']>
}

export interface Plan {
  /** The spec's version hash (SPEC §4 /admin/config, §5 llmgw_config_info). */
  readonly version: string
  readonly server: {
    readonly host: string
    readonly port: number
    readonly maxBodyBytes: number
    readonly requestTimeoutMs: number
    readonly workers: number
    readonly shutdownGraceMs: number
    readonly sseKeepaliveMs: number
  }
  readonly admin: { readonly port: number | undefined; readonly token: Secret | undefined }
  readonly providers: readonly ProviderPlan[]
  readonly models: readonly ModelPlan[]
  readonly access: AccessPlan
  readonly rules: readonly RulePlan[]
  readonly experiments: readonly ExperimentPlan[]
  readonly batching: { readonly embeddings: BatchPlan | undefined }
  /** Request headers the server copies into Exchange.headers (auth, tracing, cache-control, rules, experiments), lower case. */
  readonly headerNames: readonly string[]
}
