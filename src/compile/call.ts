/** One model call: targets by strategy, retries per `retry`, then the fallback chain, within server.requestTimeout (SPEC §3, §4). */
import { GatewayError, toGatewayError } from '../core/errors.js'
import type { Guard } from '../core/pipeline.js'
import type { ResponseCache } from '../stages/cache.js'
import type { ExperimentRuntime } from '../stages/experiment.js'
import type { ModelResponseFilter } from './rules.js'
import type { Exchange, Usage } from '../core/types.js'
import type { UpstreamCall } from '../providers/types.js'
import type { RequestContext } from './context.js'
import type { ModelPlan } from './plan.js'
import type { Relay } from './relay.js'
import { backoffMs, isFallbackWorthy, sleep } from './retry.js'
import type { Picker } from './target.js'
import type { AttemptSpan, RequestSpan } from '../observe/tracing.js'

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
  cache: { readonly ttlMs: number; readonly store: ResponseCache } | undefined
  /** An experiment on this model: its runtime and, per variant, the model to call (undefined = this model's own targets). */
  experiment: { readonly runtime: ExperimentRuntime; readonly models: ReadonlyArray<CompiledModel | undefined> } | undefined
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

const unavailable = (m: string) => new GatewayError('upstream_unavailable', `no available target for model '${m}'`)
const timedOut = () => new GatewayError('upstream_timeout', 'the request timed out (server.requestTimeout)', { retryClass: 'timeout' })

export async function runChain(
  cx: RequestContext,
  model: CompiledModel,
  relay: Relay,
  requestTimeoutMs: number,
  upstreamHeaders: Readonly<Record<string, string>> | undefined,
  span?: RequestSpan,
): Promise<CallOutcome> {
  const ex: Exchange = cx.ex
  const deadline = ex.receivedAt + requestTimeoutMs
  const out: CallOutcome = {
    status: 0, error: undefined, usage: undefined, provider: undefined, upstreamModel: undefined,
    answeredBy: undefined, attempts: 0, upstreamStartAt: undefined, firstByteAt: undefined,
  }
  const body = cx.body
  const call: { -readonly [K in keyof UpstreamCall]: UpstreamCall[K] } = {
    endpoint: cx.endpoint, body, stream: cx.stream, clientWantsUsage: cx.clientWantsUsage, signal: ex.signal, timeoutMs: 0, streamBudgetMs: undefined,
    clientFormat: cx.endpoint === 'messages' ? 'anthropic' : 'openai',
    ...(upstreamHeaders ? { headers: upstreamHeaders } : {}),
  }
  let lastErr: GatewayError | undefined
  chain: for (const m of model.chain) {
    let tried: Array<NonNullable<ReturnType<Picker>>> | undefined
    for (let n = 1; n <= m.plan.retry.attempts; n++) {
      const t = m.pick(tried)
      if (t === undefined) {
        lastErr ??= unavailable(m.name)
        break
      }
      const remaining = deadline - performance.now()
      if (remaining <= 0) {
        lastErr = timedOut()
        break chain
      }
      out.attempts++
      relay.target = t
      relay.attempts = out.attempts
      body.model = t.model === '*' ? cx.model : t.model
      call.timeoutMs = Math.min(t.timeoutMs, remaining)
      // a stream may outlive its attempt timeout (that bounds the wait and the gaps) but not the request's own
      if (cx.stream) call.streamBudgetMs = remaining
      let attempt: AttemptSpan | undefined
      if (span !== undefined) {
        // A child span per attempt; its id goes upstream so the provider's logs join this trace.
        attempt = span.startAttempt({ 'llmgw.provider': t.provider, 'llmgw.upstream_model': body.model as string })
        const state = span.upstreamTracestate()
        call.headers = { ...upstreamHeaders, traceparent: attempt.traceparent, ...(state === undefined ? {} : { tracestate: state }) }
      }
      out.upstreamStartAt = performance.now()
      t.inflight++
      try {
        const res = await t.client.call(call, relay)
        t.inflight--
        attempt?.end(200)
        out.status = 200
        out.usage = res.usage
        out.provider = t.provider
        out.upstreamModel = res.model ?? (body.model as string)
        out.answeredBy = m
        out.firstByteAt = res.firstByteAt
        relay.finish(res.model)
        return out
      } catch (e) {
        t.inflight--
        const err = toGatewayError(e)
        attempt?.end(ex.signal.aborted ? abortedStatus(ex) : err.status, err)
        out.provider = t.provider
        if (ex.signal.aborted) {
          relay.stopKeepalive()
          out.status = abortedStatus(ex)
          out.error = abortedError(ex)
          return await paidPart(out, relay, m, body)
        }
        // After the first streamed byte the client has part of an answer: never retry, report in-stream.
        if (relay.begun && relay.stream) return await paidPart(failed(out, relay, err), relay, m, body)
        relay.reset()
        lastErr = err
        if (n >= m.plan.retry.attempts || !m.retryable(err)) break
        ;(tried ??= []).push(t)
        const wait = backoffMs(m.plan.retry, n)
        if (performance.now() + wait >= deadline) {
          lastErr = timedOut()
          break chain
        }
        if (!(await sleep(wait, ex.signal))) {
          relay.stopKeepalive()
          out.status = abortedStatus(ex)
          out.error = abortedError(ex)
          return out
        }
      }
    }
    if (lastErr !== undefined && !isFallbackWorthy(lastErr)) break
  }
  return failed(out, relay, lastErr ?? unavailable(model.name))
}

/**
 * A stream cut short (client gone, timeout, upstream failure) is accounted for what was relayed (SPEC §7: never zero
 * tokens or cost): the adapter's partial usage, settled against this model's pricing and the key's limits.
 */
async function paidPart(out: CallOutcome, relay: Relay, m: CompiledModel, body: Record<string, unknown>): Promise<CallOutcome> {
  const partial = relay.takePartial()
  if (partial === undefined) return out
  out.usage = await partial.catch(() => undefined)
  out.answeredBy = m
  out.upstreamModel ??= body.model as string
  return out
}

function failed(out: CallOutcome, relay: Relay, err: GatewayError): CallOutcome {
  out.status = err.status
  out.error = err
  relay.fail(err)
  return out
}
