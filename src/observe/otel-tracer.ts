/** OpenTelemetry span export over OTLP/HTTP JSON (SPEC §3 observability.tracing). Imported lazily by tracing.ts. */
import { createTraceState, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api'
import type { Span, SpanContext } from '@opentelemetry/api'
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http'
import { resourceFromAttributes } from '@opentelemetry/resources'
import { BasicTracerProvider, BatchSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler } from '@opentelemetry/sdk-trace-base'
import type { RequestRecord } from '../core/pipeline.js'
import { formatTraceparent, parseTraceparent, parseTracestate } from './trace-context.js'
import type { AttemptSpan, RequestSpan, SpanAttrs, Tracer, TracingConfig } from './tracer-types.js'

const toTraceparent = (sc: SpanContext): string => formatTraceparent({ traceId: sc.traceId, spanId: sc.spanId, flags: sc.traceFlags })

function setAttrs(span: Span, attrs: SpanAttrs | undefined): void {
  if (!attrs) return
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) span.setAttribute(k, v)
}

function recordAttrs(r: RequestRecord): SpanAttrs {
  return {
    'http.response.status_code': r.status,
    'llmgw.request_id': r.requestId,
    'llmgw.key_id': r.keyId,
    'llmgw.model': r.model,
    'llmgw.provider': r.provider,
    'llmgw.upstream_model': r.upstreamModel,
    'llmgw.attempts': r.attempts,
    'llmgw.cache': r.cache,
    'llmgw.error_code': r.errorCode,
    'llmgw.stream': r.stream,
    'llmgw.tokens.input': r.promptTokens,
    'llmgw.tokens.output': r.completionTokens,
    'llmgw.cost_usd': r.costUsd,
    'llmgw.ttft_ms': r.ttftMs,
  }
}

export function createOtelTracer(cfg: TracingConfig): Tracer {
  const maxQueueSize = cfg.maxQueueSize ?? 2048
  const exportTimeoutMs = cfg.exportTimeoutMs ?? 10_000
  const exporter = new OTLPTraceExporter({ url: cfg.otlpEndpoint, headers: { ...cfg.headers }, timeoutMillis: exportTimeoutMs, concurrencyLimit: 2 })
  // The batch processor drops spans once maxQueueSize are waiting: a down collector costs spans, never latency.
  const processor = new BatchSpanProcessor(exporter, {
    maxQueueSize,
    maxExportBatchSize: Math.min(512, maxQueueSize),
    scheduledDelayMillis: cfg.scheduledDelayMs ?? 2000,
    exportTimeoutMillis: exportTimeoutMs,
  })
  const ratio = Math.min(1, Math.max(0, cfg.sampleRatio))
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': cfg.serviceName }),
    // A client's sampled flag wins; new traces are sampled at sampleRatio.
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) }),
    spanProcessors: [processor],
  })
  const tracer = provider.getTracer('llmgw')

  return {
    isExporting: true,
    startRequest(header, stateHeader, attrs): RequestSpan {
      const parent = parseTraceparent(header)
      const state = parent ? parseTracestate(stateHeader) : undefined
      const ctx = parent
        ? trace.setSpanContext(ROOT_CONTEXT, {
            traceId: parent.traceId,
            spanId: parent.spanId,
            traceFlags: parent.flags & 1,
            isRemote: true,
            traceState: state === undefined ? undefined : createTraceState(state),
          })
        : ROOT_CONTEXT
      const method = attrs?.['http.request.method']
      const path = attrs?.['url.path']
      const name = method !== undefined && path !== undefined ? `${method} ${path}` : 'llmgw.request'
      const span = tracer.startSpan(name, { kind: SpanKind.SERVER }, ctx)
      if (span.isRecording()) setAttrs(span, attrs)
      const spanCtx = trace.setSpan(ROOT_CONTEXT, span)
      let upstream: string | undefined
      let attempt = 0
      return {
        traceId: span.spanContext().traceId,
        upstreamTraceparent: () => (upstream ??= toTraceparent(span.spanContext())),
        upstreamTracestate: () => state,
        startAttempt(a): AttemptSpan {
          const child = tracer.startSpan('llmgw.upstream', { kind: SpanKind.CLIENT }, spanCtx)
          if (child.isRecording()) {
            child.setAttribute('llmgw.attempt', ++attempt)
            setAttrs(child, a)
          }
          const traceparent = toTraceparent(child.spanContext())
          upstream = traceparent
          return {
            traceparent,
            end(status, err) {
              if (child.isRecording()) {
                child.setAttribute('http.response.status_code', status)
                if (err !== undefined) child.recordException(err instanceof Error ? err : String(err))
                if (err !== undefined || status >= 400) child.setStatus({ code: SpanStatusCode.ERROR })
              }
              child.end()
            },
          }
        },
        end(record) {
          if (span.isRecording()) {
            setAttrs(span, recordAttrs(record))
            if (record.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR, message: record.errorCode ?? '' })
          }
          span.end()
        },
      }
    },
    async close() {
      // Bounded: a dead collector must not hold up shutdown (Ctrl-C in a terminal must feel immediate): the last
      // flush gets 1.5 s at most, and whatever has not gone by then is dropped.
      let timer: NodeJS.Timeout | undefined
      const limit = new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.min(exportTimeoutMs, 1500))))
      await Promise.race([provider.shutdown().catch(() => undefined), limit])
      clearTimeout(timer)
    },
  }
}
