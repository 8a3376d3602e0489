/**
 * The contracts between compile/ and the stages it folds into a model's pipeline (STYLE §2.4).
 * A stage is compile-time code: compileX(planSlice, deps) returns a Guard or Wrap closure, or null when off.
 */
import type { GatewayError } from './errors.js'
import type { Plugin, PluginContext } from './plugin-api.js'
import type { Endpoint, Exchange, MaybePromise, Usage } from './types.js'

/** Who is calling, once auth has run. Never holds the key itself. */
export interface Caller {
  /** keys[].id, or the JWT's mapped key id; undefined for anonymous callers. */
  readonly keyId: string | undefined
  readonly metadata: Readonly<Record<string, string>>
  /** May this caller use the public model? (keys[].models globs, compiled once.) */
  allows(model: string): boolean
}

/** How a call ended, handed to every onEnd listener exactly once. */
export interface CallEnd {
  readonly status: number
  /** Actual usage (reported by the upstream, or counted from relayed text); undefined when no upstream answered. */
  readonly usage: Usage | undefined
  /** Cost in USD from the answering model's pricing and the usage; 0 when unpriced. */
  readonly costUsd: number
  readonly errorCode: string | undefined
}

/** Per-request state, created by compile/ after the body is parsed. Stages read it and add to it. */
export interface CallContext {
  readonly ex: Exchange
  readonly endpoint: Endpoint
  /** The parsed request, canonical OpenAI shape. Stages that rewrite it (system-prompt, context-trim) do so here. */
  body: Record<string, unknown>
  /** The public model name the client asked for. */
  readonly model: string
  readonly stream: boolean
  /** Set by the auth guard. */
  caller: Caller | undefined
  /** Estimated prompt tokens plus max_tokens / max_completion_tokens (or 1024), computed once on first use (SPEC §7). */
  reservedTokens(): number
  /** Estimated cost in USD of reservedTokens() at this model's pricing (0 when unpriced). */
  reservedCostUsd(): number
  /** Response headers gathered on the way (x-ratelimit-*, x-llmgw-variant...). Sent on success and on errors. */
  readonly headers: Array<[string, string]>
  /** Register a settle step (release concurrency, settle token reservations, count cost). Runs once at the end. */
  onEnd(fn: (end: CallEnd) => void): void
  /** Plugins (rules[].type: plugin) that took this request, in rule order; their response hooks see its answer. */
  plugins?: ActivePlugin[]
  /** A plugin asked to serve the request from this public model instead (compile/admit.ts switches). */
  routeTo?: string
  /** Headers a plugin added to every upstream attempt. */
  upstreamHeaders?: Record<string, string>
  /** A plugin ran onRequest: the body may have changed anywhere, so a native relay must not send the client's bytes. */
  bodyEdited?: boolean
}

/** One plugin on one request (stages/plugin.ts): its hooks and the context they all get. */
export interface ActivePlugin {
  readonly name: string
  readonly plugin: Plugin
  readonly ctx: PluginContext
  /** Runs one hook, timed as stage plugin:<name> when profiling. */
  run<R>(f: () => R): R
  /** A hook threw: log it (one line, with the request id) and return the 500 plugin_error for the client. */
  fail(hook: string, e: unknown): GatewayError
}

/** Admission check: throw (or reject with) a GatewayError to refuse. Sync guards cost no microtask. */
export type Guard = (cx: CallContext) => MaybePromise<void>

/** One finished request as the access log, metrics and dashboard see it. Built once per request by compile/. */
export interface RequestRecord {
  /** Epoch ms when the request arrived. */
  readonly time: number
  readonly requestId: string
  readonly keyId: string | undefined
  readonly ip: string
  readonly method: string
  readonly path: string
  readonly endpoint: Endpoint | undefined
  /** The model string the client sent (may be anything; never use as a metric label). */
  readonly modelAsked: string | undefined
  /** The public model from the spec that served it; undefined when unknown (label it "unknown"). */
  readonly model: string | undefined
  readonly provider: string | undefined
  readonly upstreamModel: string | undefined
  readonly status: number
  readonly errorCode: string | undefined
  readonly attempts: number
  readonly cache: 'HIT' | 'MISS' | 'BYPASS' | undefined
  readonly variant: string | undefined
  /** models[].degrade answered instead of the error (compile/degrade.ts); absent otherwise. */
  readonly degraded?: 'static' | 'stale' | undefined
  readonly stream: boolean
  readonly promptTokens: number
  readonly completionTokens: number
  readonly costUsd: number
  readonly latencyMs: number
  readonly upstreamLatencyMs: number | undefined
  readonly ttftMs: number | undefined
}

/** Receives every finished request (metrics, access log, dashboard). Must not block: it runs on the request path. */
export interface RequestObserver {
  onStart(): void
  onEnd(r: RequestRecord): void
}
