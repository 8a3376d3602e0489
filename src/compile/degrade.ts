/**
 * models[].degrade (SPEC §3, issue 12 part 4): when every target and fallback failed (errors, timeouts, open breakers,
 * full queues), the model's static answer instead of the error, streaming or not, marked `x-llmgw-degraded: static`
 * and `x-llmgw-provider: degraded` (so llmgw_requests_total{provider="degraded"} counts them). Never cached.
 */
import type { GatewayError } from '../core/errors.js'
import type { AttemptSink, UpstreamCall } from '../providers/types.js'
import type { TranslatingSink } from '../translate/index.js'
import { createStaticAnswerClient } from '../providers/static-answer.js'
import type { Call, CompiledModel } from './call.js'
import type { ModelPlan } from './plan.js'
import { createTarget, type RuntimeTarget } from './target.js'

export const DEGRADED_PROVIDER = 'degraded'
const DEGRADABLE = new Set(['upstream_error', 'upstream_unavailable', 'upstream_timeout', 'overloaded'])

/** The failures a degraded answer stands in for: the upstream side's, never the client's own (400s). */
export const isDegradable = (err: GatewayError): boolean => DEGRADABLE.has(err.code)

export function compileDegrade(m: ModelPlan): RuntimeTarget | undefined {
  if (m.degrade === undefined) return undefined
  const t = createTarget({ provider: DEGRADED_PROVIDER, model: m.name, weight: 1 }, createStaticAnswerClient(DEGRADED_PROVIDER, m.degrade.message), 1000, m)
  return { ...t, headers: [['x-llmgw-provider', DEGRADED_PROVIDER], ['x-llmgw-degraded', 'static']] }
}

type MutableCall = { -readonly [K in keyof UpstreamCall]: UpstreamCall[K] }

/** Answers through the relay like a last attempt (the translator shapes it for the client's endpoint). */
export async function answerDegraded(call: Call, model: CompiledModel, d: RuntimeTarget, req: MutableCall): Promise<void> {
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
