/**
 * models[].degrade (SPEC §3, issue 12 part 4): when every target and fallback failed (errors, timeouts, open breakers,
 * full queues), an answer instead of the error, streaming or not:
 * - stale: the last cached answer to the same request even if expired (kept degrade.staleFor past its ttl), replayed as
 *   it was recorded (a stream's SSE bytes for a stream request: the cache key holds the body, `stream` included),
 *   marked `x-llmgw-degraded: stale`;
 * - static: the model's message, marked `x-llmgw-degraded: static`; after stale when both are set.
 * Both carry `x-llmgw-provider: degraded` (llmgw_requests_total{provider="degraded"}), are counted in
 * llmgw_degraded_total{model,mode} and are never cached.
 */
import type { GatewayError } from '../core/errors.js'
import { isPromise } from '../core/sync.js'
import type { AttemptSink, UpstreamCall } from '../providers/types.js'
import type { TranslatingSink } from '../translate/index.js'
import { createStaticAnswerClient } from '../providers/static-answer.js'
import type { CachedResponse } from '../stages/cache.js'
import type { Call, CompiledDegrade, CompiledModel } from './call.js'
import type { ModelPlan } from './plan.js'
import { createTarget, type RuntimeTarget } from './target.js'

export const DEGRADED_PROVIDER = 'degraded'
const DEGRADABLE = new Set(['upstream_error', 'upstream_unavailable', 'upstream_timeout', 'overloaded'])

/** The failures a degraded answer stands in for: the upstream side's, never the client's own (400s). */
export const isDegradable = (err: GatewayError): boolean => DEGRADABLE.has(err.code)

export function compileDegrade(m: ModelPlan): CompiledDegrade | undefined {
  const d = m.degrade
  if (d === undefined) return undefined
  return { stale: d.stale && m.cache !== undefined, static: d.message === undefined ? undefined : staticTarget(m, d.message) }
}

function staticTarget(m: ModelPlan, message: string): RuntimeTarget {
  const t = createTarget({ provider: DEGRADED_PROVIDER, model: m.name, weight: 1 }, createStaticAnswerClient(DEGRADED_PROVIDER, message), 1000, m)
  return { ...t, headers: [['x-llmgw-provider', DEGRADED_PROVIDER], ['x-llmgw-degraded', 'static']] }
}

type MutableCall = { -readonly [K in keyof UpstreamCall]: UpstreamCall[K] }

/** The chain failed with `err` (degradable): the stale answer if there is one, else the static one, else the error. */
export async function answerDegraded(call: Call, model: CompiledModel, d: CompiledDegrade, req: MutableCall, err: GatewayError): Promise<void> {
  if (d.stale && call.staleEntry !== undefined) {
    const hit = await lookupStale(call.staleEntry)
    if (call.ex.signal.aborted) return void call.abandon()
    if (hit !== undefined) return answerStale(call, hit)
  }
  if (d.static !== undefined) return answerStatic(call, model, d.static, req)
  call.fail(err)
}

/** A store that fails (Redis away) has no stale answer: the static one or the error follows. */
async function lookupStale(e: NonNullable<Call['staleEntry']>): Promise<CachedResponse | undefined> {
  try {
    const got = e.store.getStale(e.key)
    return isPromise(got) ? await got : got
  } catch {
    return undefined
  }
}

/** The recorded answer as a cache HIT sends it, but marked stale; no upstream answered, so no tokens are accounted. */
function answerStale(call: Call, hit: CachedResponse): void {
  const relay = call.relay!
  relay.stopKeepalive()
  relay.reset()
  const answeredModel = hit.headers.find(([k]) => k === 'x-llmgw-model')?.[1]
  call.status = 200
  call.degraded = 'stale'
  call.provider = DEGRADED_PROVIDER
  call.upstreamModel = answeredModel
  const sink = relay.sink
  if (sink.isAborted) return
  // keepalive comments already sent a stream's headers: the recorded events follow them
  if (sink.isStarted) return sink.end(hit.body)
  const h: Array<[string, string]> = [['content-type', hit.contentType], ['x-llmgw-provider', DEGRADED_PROVIDER], ['x-llmgw-degraded', 'stale']]
  if (answeredModel !== undefined) h.push(['x-llmgw-model', answeredModel])
  h.push(['x-llmgw-attempts', String(call.attempts)], ...relay.extraHeaders)
  sink.send(200, h, hit.body)
}

/** Answers through the relay like a last attempt (the translator shapes it for the client's endpoint). */
async function answerStatic(call: Call, model: CompiledModel, d: RuntimeTarget, req: MutableCall): Promise<void> {
  const input = call.input!
  const relay = call.relay!
  relay.reset()
  call.target = d
  const tr = d.translators[input.endpoint]
  const r = tr.request(input, model.name)
  req.endpoint = r.endpoint
  req.body = r.body
  req.clientFormat = r.clientFormat
  req.clientWantsUsage = r.clientWantsUsage
  const sink: AttemptSink & Partial<TranslatingSink> = tr.wrap === undefined ? relay : tr.wrap(relay, input)
  const res = await d.client.call(req, sink)
  sink.end?.(res)
  call.status = 200
  call.degraded = 'static'
  call.usage = res.usage
  call.provider = DEGRADED_PROVIDER
  call.upstreamModel = model.name
  call.answeredBy = model
  relay.finish(res.model)
}
