/** The tracing contract (SPEC §3 observability.tracing): tracing.ts (propagation only) and otel-tracer.ts (OTLP export, loaded lazily) implement it. */
import type { RequestRecord } from '../core/pipeline.js'

export interface TracingConfig {
  readonly otlpEndpoint: string
  readonly sampleRatio: number
  readonly serviceName: string
  /** Headers on every export request (e.g. a collector's API key); values are secrets, never logged. */
  readonly headers?: Readonly<Record<string, string>>
  /** Spans waiting for export; beyond this they are dropped, never blocking a request. Default 2048. */
  readonly maxQueueSize?: number
  /** Give up on one export after this long (collector down or slow). Default 10 s. */
  readonly exportTimeoutMs?: number
  /** Export at least this often. Default 2 s. */
  readonly scheduledDelayMs?: number
}

export type SpanAttrs = Readonly<Record<string, string | number | boolean | undefined>>

export interface AttemptSpan {
  /** The `traceparent` to send on this upstream call (this attempt's span id). */
  readonly traceparent: string
  end(status: number, err?: unknown): void
}

export interface RequestSpan {
  readonly traceId: string
  /** `traceparent` for the upstream call: the latest attempt's span, else the request's own. */
  upstreamTraceparent(): string
  /** The client's `tracestate`, when it was valid, to forward unchanged. */
  upstreamTracestate(): string | undefined
  startAttempt(attrs?: SpanAttrs): AttemptSpan
  end(record: RequestRecord): void
}

export interface Tracer {
  /** Exporting to a collector (false: propagation only). */
  readonly isExporting: boolean
  startRequest(traceparent: string | undefined, tracestate: string | undefined, attrs?: SpanAttrs): RequestSpan
  /** Flush queued spans and stop the exporter. */
  close(): Promise<void>
}
