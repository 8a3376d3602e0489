/** The chain stage: targets by strategy, retries per `retry`, then the fallback chain, within server.requestTimeout (SPEC §3, §4). */
import { GatewayError, toGatewayError } from '../core/errors.js'
import type { Exchange } from '../core/types.js'
import type { AttemptResult, AttemptSink, UpstreamCall } from '../providers/types.js'
import type { LocalTranslator, TranslatingSink } from '../translate/index.js'
import type { AttemptSpan } from '../observe/tracing.js'
import { abortedStatus, type Call, type CompiledModel } from './call.js'
import type { Relay } from './relay.js'
import { backoffMs, isFallbackWorthy, sleep } from './retry.js'
import { answerDegraded, isDegradable } from './degrade.js'
import type { RuntimeTarget } from './target.js'

const unavailable = (m: string) => new GatewayError('upstream_unavailable', `no available target for model '${m}'`)
const timedOut = () => new GatewayError('upstream_timeout', 'the request timed out (server.requestTimeout)', { retryClass: 'timeout' })

type MutableCall = { -readonly [K in keyof UpstreamCall]: UpstreamCall[K] }

/**
 * Runs call.route's chain until an attempt answers or nothing is left; the Call holds the outcome afterwards and its
 * relay has told the client. Each attempt's request is built by the target's translator (the parsed body is never
 * mutated, so a fallback that crosses provider types starts from what the client sent).
 */
export async function runChain(call: Call, requestTimeoutMs: number, upstreamHeaders: Readonly<Record<string, string>> | undefined): Promise<void> {
  const ex: Exchange = call.ex
  const relay = call.relay!
  const input = call.input!
  const model = call.route!
  const deadline = ex.receivedAt + requestTimeoutMs
  const span = call.span
  const req: MutableCall = {
    endpoint: input.endpoint, body: input.body as Record<string, unknown>, stream: input.stream, clientWantsUsage: input.clientWantsUsage,
    // every field written here, none spread in: a spread in this literal took V8's slow path (2.6 µs a request)
    signal: ex.signal, timeoutMs: 0, streamBudgetMs: undefined, clientFormat: 'openai', headers: upstreamHeaders,
  }
  let lastErr: GatewayError | undefined
  chain: for (const m of model.chain) {
    let tried: RuntimeTarget[] | undefined
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
      call.attempts++
      call.target = t
      const upstreamModel = t.model === '*' ? call.clientModel : t.model
      req.timeoutMs = Math.min(t.timeoutMs, remaining)
      // a stream may outlive its attempt timeout (that bounds the wait and the gaps) but not the request's own
      if (input.stream) req.streamBudgetMs = remaining
      let attempt: AttemptSpan | undefined
      if (span !== undefined) {
        // A child span per attempt; its id goes upstream so the provider's logs join this trace.
        attempt = span.startAttempt({ 'llmgw.provider': t.provider, 'llmgw.upstream_model': upstreamModel })
        const state = span.upstreamTracestate()
        req.headers = { ...upstreamHeaders, traceparent: attempt.traceparent, ...(state === undefined ? {} : { tracestate: state }) }
      }
      call.upstreamStartAt = performance.now()
      try {
        const tr = t.translators[input.endpoint]
        const r = tr.request(input, upstreamModel)
        req.endpoint = r.endpoint
        req.body = r.body
        req.clientFormat = r.clientFormat
        req.clientWantsUsage = r.clientWantsUsage
        const sink: AttemptSink & Partial<TranslatingSink> = tr.wrap === undefined ? relay : tr.wrap(relay, input)
        let res: AttemptResult
        t.inflight++
        try {
          res = 'local' in tr ? await answerLocally(tr as LocalTranslator, call, relay) : await t.client.call(req, sink)
        } finally {
          t.inflight--
        }
        sink.end?.(res)
        attempt?.end(200)
        call.status = 200
        call.usage = res.usage
        call.provider = t.provider
        call.upstreamModel = res.model ?? upstreamModel
        call.answeredBy = m
        call.firstByteAt = res.firstByteAt
        relay.finish(res.model)
        return
      } catch (e) {
        const err = toGatewayError(e)
        attempt?.end(ex.signal.aborted ? abortedStatus(ex) : err.status, err)
        call.provider = t.provider
        if (ex.signal.aborted) return await paidPart(call.abandon(), relay, m, upstreamModel)
        // After the first streamed byte the client has part of an answer: never retry, report in-stream.
        if (relay.begun && relay.stream) return await paidPart(call.fail(err), relay, m, upstreamModel)
        relay.reset()
        lastErr = err
        if (n >= m.plan.retry.attempts || !m.retryable(err)) break
        ;(tried ??= []).push(t)
        const wait = backoffMs(m.plan.retry, n)
        if (performance.now() + wait >= deadline) {
          lastErr = timedOut()
          break chain
        }
        if (!(await sleep(wait, ex.signal))) return void call.abandon()
      }
    }
    if (lastErr !== undefined && !isFallbackWorthy(lastErr)) break
  }
  const err = lastErr ?? unavailable(model.name)
  if (model.degrade !== undefined && isDegradable(err)) return answerDegraded(call, model, model.degrade, req, err)
  call.fail(err)
}

/** A pair with no upstream call (count_tokens counted here): the answer goes through the relay like any other. */
async function answerLocally(tr: LocalTranslator, call: Call, relay: Relay): Promise<{ usage: undefined; model: undefined; firstByteAt: number }> {
  const body = await tr.local(call.input!)
  relay.begin('application/json')
  relay.chunk(body)
  return { usage: undefined, model: undefined, firstByteAt: performance.now() }
}

/**
 * A stream cut short (client gone, timeout, upstream failure) is accounted for what was relayed (SPEC §7: never zero
 * tokens or cost): the adapter's partial usage, settled against this model's pricing and the key's limits.
 */
async function paidPart(call: Call, relay: Relay, m: CompiledModel, upstreamModel: string): Promise<void> {
  const partial = relay.takePartial()
  if (partial === undefined) return
  call.usage = await partial.catch(() => undefined)
  call.answeredBy = m
  call.upstreamModel ??= upstreamModel
}
