/**
 * One request's Call (SPEC §4, §7): the single object that owns what a proxied request learns on its way (caller, parsed
 * body, model, context), its relay to the client and its outcome (status, usage, provider, attempts) for the access
 * log, metrics and settle steps. Stages read and write the Call; nothing else is shared between them.
 */
import { GatewayError } from '../core/errors.js'
import type { Caller, Guard, RequestRecord } from '../core/pipeline.js'
import type { Endpoint, Exchange, Sink, Usage } from '../core/types.js'
import type { RequestSpan } from '../observe/tracing.js'
import type { ResponseCache } from '../stages/cache.js'
import type { ExperimentRuntime } from '../stages/experiment.js'
import type { TranslateInput } from '../translate/index.js'
import type { ParsedRequest } from '../wire/request.js'
import type { RequestContext } from './context.js'
import type { ModelPlan } from './plan.js'
import type { Relay } from './relay.js'
import type { ErrorFormat } from './respond.js'
import type { ModelResponseFilter } from './rules.js'
import type { Picker, RuntimeTarget } from './target.js'

/** A public model, compiled: its picker, retry decision and the model-specific guards (rules). */
export interface CompiledModel {
  readonly name: string
  readonly plan: ModelPlan
  readonly pick: Picker
  readonly retryable: (err: GatewayError) => boolean
  readonly guards: readonly Guard[]
  /** This model, then its fallbacks (resolved once the whole table exists). */
  chain: readonly CompiledModel[]
  /** Response-scope content filters (rules), or null. */
  response: ModelResponseFilter | null
  /** models[].cache, with the store that outlives reloads. */
  cache: { readonly ttlMs: number; readonly staleMs: number; readonly store: ResponseCache } | undefined
  /** An experiment on this model: its runtime and, per variant, the model to call (undefined = this model's own targets). */
  experiment: { readonly runtime: ExperimentRuntime; readonly models: ReadonlyArray<CompiledModel | undefined> } | undefined
  /** models[].degrade: answers when the whole chain failed (x-llmgw-degraded: stale, else static), or undefined. */
  readonly degrade?: CompiledDegrade | undefined
}

export interface CompiledDegrade {
  /** The stale cached answer first (when the cache wrap found an entry to fall back on: Call.staleEntry). */
  readonly stale: boolean
  /** The static answer's target, or undefined (stale only). */
  readonly static: RuntimeTarget | undefined
}

/** How the call ended, for the access log, metrics and settle steps. */
export interface CallOutcome {
  status: number
  error: GatewayError | undefined
  usage: Usage | undefined
  provider: string | undefined
  upstreamModel: string | undefined
  /** The model whose target answered (a fallback's pricing applies to its answer). */
  answeredBy: CompiledModel | undefined
  attempts: number
  upstreamStartAt: number | undefined
  firstByteAt: number | undefined
}

export type DegradeMode = 'static' | 'stale'

/** Status recorded when the client left before the answer (nginx's convention; never sent). */
export const CLIENT_CLOSED = 499

/**
 * The status to record for an aborted request: 499 when the client left; the server's own error when it cut the
 * request (shutdown past its grace: the client got that 503 or error event, and the log must say so, not "client left").
 */
export function abortedStatus(ex: Exchange): number {
  const reason = ex.signal.reason
  return reason instanceof GatewayError ? reason.status : CLIENT_CLOSED
}

/** The server's error when it cut the request itself, else undefined (the client left). */
export function abortedError(ex: Exchange): GatewayError | undefined {
  const reason = ex.signal.reason
  return reason instanceof GatewayError ? reason : undefined
}

export class Call implements CallOutcome {
  // what the request is, learned by the admission stage
  caller: Caller | undefined
  parsed: ParsedRequest | undefined
  /** The public model asked for. */
  model: CompiledModel | undefined
  /** The model whose chain runs: the asked one, or an experiment's variant. */
  route: CompiledModel | undefined
  cx: RequestContext | undefined
  /** What translators read (built once, after the rules ran). */
  input: TranslateInput | undefined
  /** The client-facing writer; undefined until the call goes upstream (a cache HIT never has one). */
  relay: Relay | undefined
  // attempt state, written by the chain only
  /** The target of the current (or last) attempt. */
  target: RuntimeTarget | undefined
  // the outcome
  status = 0
  error: GatewayError | undefined = undefined
  usage: Usage | undefined = undefined
  provider: string | undefined = undefined
  upstreamModel: string | undefined = undefined
  answeredBy: CompiledModel | undefined = undefined
  attempts = 0
  upstreamStartAt: number | undefined = undefined
  firstByteAt: number | undefined = undefined
  cache: RequestRecord['cache'] = undefined
  variant: string | undefined = undefined
  /** The answer is models[].degrade's, not an upstream's (never cached). */
  degraded: DegradeMode | undefined = undefined
  /** A cache MISS on a model with degrade.stale: where an expired answer to this request may still be (with-cache.ts). */
  staleEntry: { readonly store: ResponseCache; readonly key: string } | undefined = undefined

  constructor(
    readonly ex: Exchange,
    readonly sink: Sink,
    readonly endpoint: Endpoint,
    readonly format: ErrorFormat,
    readonly span: RequestSpan | undefined,
  ) {}

  /** The client's model name (targets named '*' pass it through). */
  get clientModel(): string {
    return this.parsed?.model ?? ''
  }

  /** The call failed: record it; the relay (or the endpoint, before one exists) tells the client. */
  fail(err: GatewayError): this {
    this.status = err.status
    this.error = err
    this.relay?.fail(err)
    return this
  }

  /** The client left (or the server cut the request): nothing more is sent; the log says which. */
  abandon(): this {
    this.relay?.stopKeepalive()
    this.status = abortedStatus(this.ex)
    this.error = abortedError(this.ex)
    return this
  }
}
