/**
 * A proxied endpoint (SPEC §4), composed once per model at compile time from small stages, each its own file:
 * admission (admit.ts) -> experiment (with-experiment.ts) -> cache (with-cache.ts) -> chain (chain.ts) -> observe
 * (observe-call.ts). One Call per request carries what they learn and how it ended.
 */
import { toGatewayError } from '../core/errors.js'
import { isPromise } from '../core/sync.js'
import type { Guard, RequestObserver } from '../core/pipeline.js'
import type { Endpoint, Exchange, Route, Sink } from '../core/types.js'
import type { RequestSpan, Tracer } from '../observe/tracing.js'
import { parseTraceparent } from '../observe/trace-context.js'
import { type Authenticate, compileAdmit } from './admit.js'
import { Call, type CompiledModel } from './call.js'
import { runChain } from './chain.js'
import type { ModelTable } from './model.js'
import { compileObserve, type InflightTracker } from './observe-call.js'
import { Relay } from './relay.js'
import { createPluginTransform } from '../stages/plugin-response.js'
import { type ErrorFormat, formatErrorBody, formatErrorHeaders, formatStreamError } from './respond.js'
import type { StageProfile } from './stage-profile.js'
import { compileCacheWrap } from './with-cache.js'
import { compileExperimentWrap, type Step } from './with-experiment.js'

export { ANONYMOUS, type Authenticate } from './admit.js'
export type { InflightTracker } from './observe-call.js'

export interface EndpointDeps {
  readonly table: ModelTable
  readonly authenticate: Authenticate | undefined
  readonly admission: readonly Guard[]
  readonly observer: RequestObserver | undefined
  readonly requestTimeoutMs: number
  readonly sseKeepaliveMs: number
  /** Client request headers copied to every upstream attempt (e.g. x-mock-fail in tests). */
  readonly forwardHeaders: readonly string[]
  readonly profile: StageProfile | undefined
  /** Internal errors (bugs), with the request id, for the log. */
  readonly onError: ((err: unknown, ex: Exchange) => void) | undefined
  /** In-flight count of the Gateway (retire() waits for 0). */
  readonly tracker: InflightTracker
  /** W3C trace propagation and, when observability.tracing is set, span export; undefined = no tracing code runs. */
  readonly tracer: Tracer | undefined
}

/** count_tokens spends no tokens and calls no model: no limits, budgets, rules, cache or experiment apply to it. */
const isFree = (endpoint: Endpoint): boolean => endpoint === 'count_tokens'

export function compileEndpoint(endpoint: Endpoint, d: EndpointDeps): Route {
  const format: ErrorFormat = endpoint === 'messages' || endpoint === 'count_tokens' ? 'anthropic' : endpoint === 'responses' ? 'responses' : 'openai'
  const free = isFree(endpoint)
  const admit = compileAdmit(endpoint, { table: d.table, authenticate: d.authenticate, admission: free ? [] : d.admission, rules: !free, profile: d.profile })
  const observe = compileObserve(d.observer, d.tracker, d.profile)
  const { onError, requestTimeoutMs, sseKeepaliveMs, profile: prof } = d
  const forward = d.forwardHeaders
  const startSpan = compileSpanStart(d.tracer)

  const openRelay = (call: Call, sink: Sink): Relay => {
    const cx = call.cx!
    return new Relay(sink, cx.stream, format, cx.headers, call, call.model!.response, createPluginTransform(cx.plugins))
  }
  // the terminal stage: the relay goes out with keepalives while the chain runs its attempts
  const chain: Step = async (call) => {
    const relay = (call.relay ??= openRelay(call, call.sink))
    relay.startKeepalive(sseKeepaliveMs)
    const headers = forward.length === 0 ? { 'x-request-id': call.ex.id } : forwarded(call.ex, forward)
    const added = call.cx!.upstreamHeaders
    await runChain(call, requestTimeoutMs, added === undefined ? headers : { ...added, ...headers })
    // a bug inside an attempt reached the client as 500 internal_error: the cause goes to the log like any other
    if (call.error?.code === 'internal_error') onError?.(call.error.cause ?? call.error, call.ex)
    if (relay.blockedBy !== undefined) {
      call.status = relay.blockedBy.status
      call.error = relay.blockedBy
    }
    if (prof && call.upstreamStartAt !== undefined && relay.begun) {
      prof.add('upstream_wait', (relay.begunAt - call.upstreamStartAt) * 1e6)
      prof.add('relay', (performance.now() - relay.begunAt) * 1e6)
    }
  }
  // per model, once, inner to outer: the wrappers a model does not use are not in its pipeline at all (compileGateway
  // attaches models' cache and experiment before it compiles the endpoints)
  const compileModelPipeline = (m: CompiledModel): Step => {
    let step = chain
    if (!free) for (const w of [compileCacheWrap(m, openRelay), compileExperimentWrap(m)]) if (w) step = w(step)
    return step
  }
  const pipelines = new Map<CompiledModel, Step>(d.table.models.map((m) => [m, compileModelPipeline(m)]))

  async function handle(ex: Exchange, sink: Sink): Promise<void> {
    const call = new Call(ex, sink, endpoint, format, startSpan?.(ex))
    observe.start()
    try {
      const admitted = admit(call)
      if (isPromise(admitted) ? await admitted : admitted) await (pipelines.get(call.model!) ?? chain)(call)
    } catch (e) {
      const error = toGatewayError(e)
      call.error = error
      if (error.code === 'internal_error') onError?.(e, ex)
      if (!sink.isAborted && !sink.isStarted) sink.send(error.status, formatErrorHeaders(error, call.cx?.headers), formatErrorBody(error, format))
    } finally {
      observe.end(call)
    }
  }
  return {
    hasBody: true,
    handle,
    streamError: (err) => formatStreamError(err, format),
    ...(format === 'anthropic' ? { errorBody: (err) => formatErrorBody(err, format) } : {}),
  }
}

/**
 * Exporting: a span per request. Propagation only: a child traceparent only when the client sent a valid one (a
 * malformed one is ignored, never propagated), so untraced requests pay one header check.
 */
function compileSpanStart(tracer: Tracer | undefined): ((ex: Exchange) => RequestSpan | undefined) | undefined {
  if (tracer === undefined) return undefined
  if (tracer.isExporting)
    return (ex) => tracer.startRequest(ex.headers.traceparent, ex.headers.tracestate, { 'http.request.method': ex.method, 'url.path': ex.path })
  return (ex) => {
    const h = ex.headers.traceparent
    return h !== undefined && parseTraceparent(h) !== undefined ? tracer.startRequest(h, ex.headers.tracestate) : undefined
  }
}

function forwarded(ex: Exchange, names: readonly string[]): Record<string, string> {
  const h: Record<string, string> = { 'x-request-id': ex.id }
  for (const n of names) {
    const v = ex.headers[n]
    if (v !== undefined) h[n] = v
  }
  return h
}
