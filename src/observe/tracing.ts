/** Tracing (SPEC §3 observability.tracing): W3C propagation always; OTLP/HTTP export only when configured. */
import type { RequestRecord } from '../core/pipeline.js'
import { formatTraceparent, newSpanId, newTraceId, parseTraceparent, parseTracestate } from './trace-context.js'
import type { TraceParent } from './trace-context.js'

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

/** Without a tracing config: no spans, no SDK, only a child traceparent so upstream logs join the client's trace. */
export function createNoopTracer(): Tracer {
  return {
    isExporting: false,
    startRequest(header, stateHeader) {
      const parent = parseTraceparent(header)
      const traceId = parent?.traceId ?? newTraceId()
      const flags = parent?.flags ?? 0
      let state: string | null | undefined = null
      let child: string | undefined
      return {
        traceId,
        upstreamTraceparent: () => (child ??= formatTraceparent({ traceId, spanId: newSpanId(), flags })),
        upstreamTracestate: () => (state === null ? (state = parent ? parseTracestate(stateHeader) : undefined) : state),
        startAttempt() {
          const traceparent = formatTraceparent({ traceId, spanId: newSpanId(), flags })
          child = traceparent
          return { traceparent, end() {} }
        },
        end() {},
      }
    },
    close: () => Promise.resolve(),
  }
}

/**
 * With a config: load the OpenTelemetry SDK now (lazily, so servers without tracing never pay its import), and
 * return a tracer exporting a span per request and a child span per upstream attempt.
 */
export async function createTracer(cfg: TracingConfig | undefined): Promise<Tracer> {
  if (!cfg) return createNoopTracer()
  const { createOtelTracer } = await import('./otel-tracer.js')
  return createOtelTracer(cfg)
}

export type { TraceParent }
