/** Tracing (SPEC §3 observability.tracing): W3C propagation always; OTLP/HTTP export only when configured. */
import { formatTraceparent, newSpanId, newTraceId, parseTraceparent, parseTracestate } from './trace-context.js'
import type { TraceParent } from './trace-context.js'
import type { Tracer, TracingConfig } from './tracer-types.js'

export type { AttemptSpan, RequestSpan, SpanAttrs, Tracer, TracingConfig } from './tracer-types.js'

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
