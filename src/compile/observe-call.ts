/**
 * The observe stage (SPEC §5 metrics, access log, §7 settling): whatever ended the request, its keepalive stops, its
 * reservations settle with the real usage and cost, the observer and the span get one RequestRecord, the Gateway's
 * in-flight count drops.
 */
import type { RequestObserver, RequestRecord } from '../core/pipeline.js'
import { abortedError, abortedStatus, type Call, CLIENT_CLOSED } from './call.js'
import { costOf } from './context.js'
import type { StageProfile } from './stage-profile.js'

export interface InflightTracker {
  n: number
  onIdle: (() => void) | undefined
}

export interface Observe {
  start(): void
  end(call: Call): void
}

export function compileObserve(observer: RequestObserver | undefined, tracker: InflightTracker, prof: StageProfile | undefined): Observe {
  return {
    start() {
      tracker.n++
      observer?.onStart()
    },
    end(call) {
      call.relay?.stopKeepalive() // whatever ended the request (a throwing stage included), its ticker goes with it
      const ex = call.ex
      const aborted = ex.signal.aborted
      const status = aborted && call.status !== 200 ? abortedStatus(ex) : call.status || call.error?.status || CLIENT_CLOSED
      call.error ??= aborted ? abortedError(ex) : undefined
      const cost = costOf(call.usage, call.answeredBy?.plan.pricing)
      call.cx?.settle({ status, usage: call.usage, costUsd: cost, errorCode: call.error?.code })
      const span = call.span
      if (observer !== undefined || span !== undefined) {
        const t0 = prof ? process.hrtime.bigint() : 0n
        const rec = record(call, status, cost)
        observer?.onEnd(rec)
        span?.end(rec)
        if (prof) prof.add('observe', Number(process.hrtime.bigint() - t0))
      }
      if (--tracker.n === 0) tracker.onIdle?.()
    },
  }
}

function record(call: Call, status: number, costUsd: number): RequestRecord {
  const ex = call.ex
  const parsed = call.parsed
  const now = performance.now()
  const usage = call.usage
  return {
    time: Math.round(performance.timeOrigin + ex.receivedAt),
    requestId: ex.id,
    keyId: call.caller?.keyId,
    ip: ex.ip,
    method: ex.method,
    path: ex.path,
    endpoint: call.endpoint,
    modelAsked: parsed?.model,
    model: call.model?.name,
    provider: call.provider,
    upstreamModel: call.status === 200 ? call.upstreamModel : undefined,
    status,
    errorCode: call.error?.code,
    attempts: call.attempts,
    cache: call.cache,
    variant: call.variant,
    degraded: call.degraded,
    stream: parsed?.stream ?? false,
    promptTokens: usage?.prompt_tokens ?? 0,
    completionTokens: usage?.completion_tokens ?? 0,
    costUsd,
    latencyMs: now - ex.receivedAt,
    upstreamLatencyMs: call.upstreamStartAt === undefined ? undefined : now - call.upstreamStartAt,
    ttftMs: parsed?.stream && call.firstByteAt !== undefined ? call.firstByteAt - ex.receivedAt : undefined,
  }
}
