/** A proxied endpoint (SPEC §4): auth -> parse -> model -> allowed? -> admission guards -> rules -> call -> observe. */
import { GatewayError, toGatewayError } from '../core/errors.js'
import type { CallContext, Caller, Guard, RequestObserver, RequestRecord } from '../core/pipeline.js'
import { isPromise } from '../core/sync.js'
import type { Endpoint, Exchange, MaybePromise, Route, Sink } from '../core/types.js'
import { parseRequest, type ParsedRequest } from '../wire/request.js'
import { abortedError, abortedStatus, type CallOutcome, CLIENT_CLOSED, type CompiledModel, runChain } from './call.js'
import { costOf, RequestContext } from './context.js'
import { compileGuardList } from './guards.js'
import { modelNotFound, type ModelTable } from './model.js'
import { Relay } from './relay.js'
import { type ErrorFormat, formatErrorBody, formatErrorHeaders, formatStreamError } from './respond.js'
import { type StageProfile, timeStage } from './stage-profile.js'
import { cacheKey, isBypass } from '../stages/cache.js'
import type { RequestSpan, Tracer } from '../observe/tracing.js'
import { parseTraceparent } from '../observe/trace-context.js'

export type Authenticate = (ex: Exchange) => MaybePromise<Caller | undefined>

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

export interface InflightTracker {
  n: number
  onIdle: (() => void) | undefined
}

/** Anonymous callers (no auth configured): may use every model. */
export const ANONYMOUS: Caller = { keyId: undefined, metadata: {}, allows: () => true }

export function compileEndpoint(endpoint: Endpoint, d: EndpointDeps): Route {
  const format: ErrorFormat = endpoint === 'messages' ? 'anthropic' : 'openai'
  const prof = d.profile
  const parse: (ep: Endpoint, b: Uint8Array) => ParsedRequest = prof ? timeStage(prof, 'parse', parseRequest) : parseRequest
  const authenticate = d.authenticate && prof ? timeStage(prof, 'auth', d.authenticate) : d.authenticate
  const admitList = compileGuardList(d.admission)
  const admit = admitList && prof ? timeStage(prof, 'limits', admitList) : admitList
  const resolveModel = prof ? timeStage(prof, 'routing', d.table.resolve) : d.table.resolve
  const rulesFor = new Map(d.table.models.map((m) => {
    const g = compileGuardList(m.guards)
    return [m, g && prof ? timeStage(prof, 'rules', g) : g] as const
  }))
  const { observer, onError, requestTimeoutMs, sseKeepaliveMs } = d
  const forward = d.forwardHeaders
  const tracker = d.tracker
  const tracer = d.tracer
  // Exporting: a span per request. Propagation only: a child traceparent only when the client sent a valid one
  // (a malformed one is ignored, never propagated), so untraced requests pay one header check.
  const startSpan: ((ex: Exchange) => RequestSpan | undefined) | undefined =
    tracer === undefined
      ? undefined
      : tracer.isExporting
        ? (ex) => tracer.startRequest(ex.headers.traceparent, ex.headers.tracestate, { 'http.request.method': ex.method, 'url.path': ex.path })
        : (ex) => {
            const h = ex.headers.traceparent
            return h !== undefined && parseTraceparent(h) !== undefined ? tracer.startRequest(h, ex.headers.tracestate) : undefined
          }

  async function handle(ex: Exchange, sink: Sink): Promise<void> {
    tracker.n++
    observer?.onStart()
    const span = startSpan?.(ex)
    let cx: RequestContext | undefined
    let parsed: ParsedRequest | undefined
    let model: CompiledModel | undefined
    let out: CallOutcome | undefined
    let error: GatewayError | undefined
    let caller: Caller | undefined
    let cacheResult: RequestRecord['cache']
    let variant: string | undefined
    let relay: Relay | undefined
    try {
      if (authenticate !== undefined) {
        const c = authenticate(ex)
        caller = isPromise(c) ? await c : c
      }
      caller ??= ANONYMOUS
      parsed = parse(endpoint, ex.body)
      model = resolveModel(parsed.model)
      if (model === undefined) throw modelNotFound(parsed.model)
      if (!caller.allows(parsed.model))
        throw new GatewayError('model_not_allowed', `this key may not use model '${model.name}'`, { param: 'model' })
      cx = new RequestContext(ex, endpoint, parsed.body, parsed.model, parsed.stream, parsed.clientWantsUsage, model.plan.pricing, caller)
      if (admit !== null) {
        const r = admit(cx)
        if (isPromise(r)) await r
      }
      const rules = rulesFor.get(model)
      if (rules) {
        const r = rules(cx)
        if (isPromise(r)) await r
      }
      if (ex.signal.aborted) {
        out = undefined
        return
      }
      let target = model
      const exp = model.experiment
      if (exp !== undefined) {
        const v = exp.runtime.pick(cx)
        variant = v.name
        cx.headers.push(['x-llmgw-variant', v.name])
        target = exp.models[v.index] ?? model
      }
      const cache = model.cache
      let key: string | undefined
      if (cache !== undefined) {
        if (isBypass(ex.headers['cache-control'])) cacheResult = 'BYPASS'
        else {
          key = cacheKey(endpoint, model.name, ex.body)
          let hit = cache.store.get(key)
          if (isPromise(hit)) hit = await hit // the Redis tier (state.store: redis); memory answers synchronously
          if (hit !== undefined) {
            cacheResult = 'HIT'
            sink.send(200, [['content-type', hit.contentType], ...hit.headers, ['x-llmgw-cache', 'HIT'], ['x-llmgw-attempts', '0'], ...cx.headers], hit.body)
            out = hitOutcome(hit.headers)
            return
          }
          cacheResult = 'MISS'
        }
        cx.headers.push(['x-llmgw-cache', cacheResult])
      }
      relay = new Relay(sink, parsed.stream, format, cx.headers)
      relay.clientModel = parsed.model
      relay.filter = model.response
      if (key !== undefined) relay.record()
      relay.startKeepalive(sseKeepaliveMs)
      const headers = forward.length === 0 ? { 'x-request-id': ex.id } : forwarded(ex, forward)
      out = await runChain(cx, target, relay, requestTimeoutMs, headers, span)
      error = out.error
      // a bug inside an attempt reached the client as 500 internal_error: the cause goes to the log like any other
      if (error?.code === 'internal_error') onError?.(error.cause ?? error, ex)
      if (relay.blockedBy !== undefined) {
        error = relay.blockedBy
        out.status = error.status
        out.error = error
      } else if (key !== undefined && out.status === 200) {
        const body = relay.recorded()
        if (body !== undefined) {
          const h: Array<[string, string]> = [['x-llmgw-provider', out.provider ?? '']]
          if (out.upstreamModel !== undefined) h.push(['x-llmgw-model', out.upstreamModel])
          cache!.store.set(key, { contentType: relay.contentType, headers: h, body }, cache!.ttlMs)
        }
      }
      if (prof && out.upstreamStartAt !== undefined && relay.begun) {
        prof.add('upstream_wait', (relay.begunAt - out.upstreamStartAt) * 1e6)
        prof.add('relay', (performance.now() - relay.begunAt) * 1e6)
      }
    } catch (e) {
      error = toGatewayError(e)
      if (error.code === 'internal_error') onError?.(e, ex)
      if (!sink.isAborted && !sink.isStarted)
        sink.send(error.status, formatErrorHeaders(error, cx?.headers), formatErrorBody(error, format))
    } finally {
      relay?.stopKeepalive() // whatever ended the request (a throwing stage included), its ticker goes with it
      const status = ex.signal.aborted && out?.status !== 200 ? abortedStatus(ex) : (out?.status ?? error?.status ?? CLIENT_CLOSED)
      error ??= ex.signal.aborted ? abortedError(ex) : undefined
      const cost = out ? costOf(out.usage, out.answeredBy?.plan.pricing) : 0
      cx?.settle({ status, usage: out?.usage, costUsd: cost, errorCode: error?.code })
      if (observer !== undefined || span !== undefined) {
        const t0 = prof ? process.hrtime.bigint() : 0n
        const rec = record(ex, endpoint, parsed, model, cx, out, status, error, cost, caller, cacheResult, variant)
        observer?.onEnd(rec)
        span?.end(rec)
        if (prof) prof.add('observe', Number(process.hrtime.bigint() - t0))
      }
      if (--tracker.n === 0) tracker.onIdle?.()
    }
  }
  return {
    hasBody: true,
    handle,
    streamError: (err: GatewayError) => formatStreamError(err, format),
    ...(format === 'openai' ? {} : { errorBody: (err: GatewayError) => formatErrorBody(err, format) }),
  }
}

/** A cache HIT: answered with no upstream attempt and no tokens spent. */
function hitOutcome(headers: ReadonlyArray<readonly [string, string]>): CallOutcome {
  const get = (n: string) => headers.find(([k]) => k === n)?.[1]
  return {
    status: 200, error: undefined, usage: undefined, provider: get('x-llmgw-provider'), upstreamModel: get('x-llmgw-model'),
    answeredBy: undefined, attempts: 0, upstreamStartAt: undefined, firstByteAt: undefined,
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

function record(
  ex: Exchange, endpoint: Endpoint, parsed: ParsedRequest | undefined, model: CompiledModel | undefined,
  cx: CallContext | undefined, out: CallOutcome | undefined, status: number, error: GatewayError | undefined,
  costUsd: number, caller: Caller | undefined, cache: RequestRecord['cache'], variant: string | undefined,
): RequestRecord {
  const now = performance.now()
  const usage = out?.usage
  return {
    time: Math.round(performance.timeOrigin + ex.receivedAt),
    requestId: ex.id,
    keyId: caller?.keyId,
    ip: ex.ip,
    method: ex.method,
    path: ex.path,
    endpoint,
    modelAsked: parsed?.model,
    model: model?.name,
    provider: out?.provider,
    upstreamModel: out?.status === 200 ? out.upstreamModel : undefined,
    status,
    errorCode: error?.code,
    attempts: out?.attempts ?? 0,
    cache,
    variant,
    stream: parsed?.stream ?? false,
    promptTokens: usage?.prompt_tokens ?? 0,
    completionTokens: usage?.completion_tokens ?? 0,
    costUsd,
    latencyMs: now - ex.receivedAt,
    upstreamLatencyMs: out?.upstreamStartAt === undefined ? undefined : now - out.upstreamStartAt,
    ttftMs: parsed?.stream && out?.firstByteAt !== undefined ? out.firstByteAt - ex.receivedAt : undefined,
  }
}
