/** Tests for observe/trace-context.ts and observe/tracing.ts: strict W3C parsing, propagation, OTLP export. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { formatTraceparent, parseTraceparent, parseTracestate } from './trace-context.js'
import { createNoopTracer, createTracer } from './tracing.js'
import { syntheticRecord } from './synthetic-record.js'

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736'
const SPAN = '00f067aa0ba902b7'
const PARENT = `00-${TRACE}-${SPAN}-01`

test('traceparent parsing is strict', () => {
  assert.deepEqual(parseTraceparent(PARENT), { traceId: TRACE, spanId: SPAN, flags: 1 })
  assert.equal(formatTraceparent(parseTraceparent(PARENT)!), PARENT)
  assert.deepEqual(parseTraceparent(`01-${TRACE}-${SPAN}-00-future`), { traceId: TRACE, spanId: SPAN, flags: 0 })
  const bad = [
    undefined, '', 'garbage', `00-${TRACE.toUpperCase()}-${SPAN}-01`, `00-${'0'.repeat(32)}-${SPAN}-01`,
    `00-${TRACE}-${'0'.repeat(16)}-01`, `ff-${TRACE}-${SPAN}-01`, `00-${TRACE}-${SPAN}-01-extra`, `00_${TRACE}-${SPAN}-01`,
    `00-${TRACE}-${SPAN}-0g`, `00-${TRACE.slice(1)}x-${SPAN}-01`, `01-${TRACE}-${SPAN}-01x`,
  ]
  for (const h of bad) assert.equal(parseTraceparent(h), undefined, String(h))
})

test('tracestate is validated whole', () => {
  assert.equal(parseTracestate('congo=t61rcWkgMzE, rojo=00f067aa0ba902b7'), 'congo=t61rcWkgMzE,rojo=00f067aa0ba902b7')
  assert.equal(parseTracestate('vendor@tenant=x'), 'vendor@tenant=x')
  for (const h of [undefined, '', 'noequals', 'Upper=1', 'a=1,a=2', 'a=b=c,', 'a= ', 'x'.repeat(600)]) {
    assert.equal(parseTracestate(h), undefined, String(h))
  }
})

test('the no-op tracer continues a valid trace and never propagates a malformed one', () => {
  const tracer = createNoopTracer()
  const ok = tracer.startRequest(PARENT, 'congo=t61rcWkgMzE', {})
  const up = parseTraceparent(ok.upstreamTraceparent())!
  assert.equal(up.traceId, TRACE)
  assert.notEqual(up.spanId, SPAN)
  assert.equal(up.flags, 1)
  assert.equal(ok.upstreamTracestate(), 'congo=t61rcWkgMzE')
  const attempt = ok.startAttempt()
  assert.equal(ok.upstreamTraceparent(), attempt.traceparent)

  const malformed = `00-${TRACE}-${SPAN}-01-junk`
  const fresh = tracer.startRequest(malformed, 'congo=t61rcWkgMzE', {})
  const next = parseTraceparent(fresh.upstreamTraceparent())!
  assert.ok(next, 'a valid traceparent is still sent upstream')
  assert.notEqual(next.traceId, TRACE)
  assert.equal(fresh.upstreamTracestate(), undefined, 'tracestate without a valid parent is dropped')
})

interface OtlpSpan {
  traceId: string
  spanId: string
  parentSpanId?: string
  name: string
  kind: number
  attributes: Array<{ key: string; value: Record<string, unknown> }>
}

async function startCollector(t: { after(fn: () => Promise<void>): void }) {
  const bodies: Array<{ contentType: string | undefined; auth: string | string[] | undefined; json: any }> = []
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      bodies.push({ contentType: req.headers['content-type'], auth: req.headers['x-honeycomb-team'], json: JSON.parse(Buffer.concat(chunks).toString('utf8')) })
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())))
  const spans = (): OtlpSpan[] =>
    bodies.flatMap((b) => b.json.resourceSpans.flatMap((rs: any) => rs.scopeSpans.flatMap((ss: any) => ss.spans as OtlpSpan[])))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`, bodies, spans }
}

const attr = (s: OtlpSpan, key: string) => s.attributes.find((a) => a.key === key)?.value

test('OTLP export: a request span under the client parent and a child span per attempt', async (t) => {
  const collector = await startCollector(t)
  const tracer = await createTracer({ otlpEndpoint: collector.url, sampleRatio: 0, serviceName: 'llmgw-test', scheduledDelayMs: 50, headers: { 'x-honeycomb-team': 'hc-key-1' } })
  assert.equal(tracer.isExporting, true)
  const req = tracer.startRequest(PARENT, undefined, { 'http.request.method': 'POST', 'url.path': '/v1/chat/completions' })
  const a1 = req.startAttempt({ 'llmgw.provider': 'openai' })
  a1.end(502, new Error('bad gateway'))
  const a2 = req.startAttempt({ 'llmgw.provider': 'claude' })
  a2.end(200)
  req.end(syntheticRecord({ model: 'gpt-4o', attempts: 2 }))
  // Malformed parent: a new root trace, never the sender's ids.
  const other = tracer.startRequest(`00-${TRACE}-${SPAN}-1`, undefined, {})
  other.end(syntheticRecord())
  await tracer.close()

  assert.match(collector.bodies[0]!.contentType ?? '', /application\/json/)
  assert.equal(collector.bodies[0]!.auth, 'hc-key-1', 'observability.tracing.headers reach the collector')
  const spans = collector.spans()
  const root = spans.find((s) => s.name === 'POST /v1/chat/completions')!
  assert.ok(root, 'request span exported (the client sampled flag wins over sampleRatio 0)')
  assert.equal(root.traceId, TRACE)
  assert.equal(root.parentSpanId, SPAN)
  assert.deepEqual(attr(root, 'llmgw.model'), { stringValue: 'gpt-4o' })
  const attempts = spans.filter((s) => s.name === 'llmgw.upstream')
  assert.equal(attempts.length, 2)
  for (const a of attempts) {
    assert.equal(a.traceId, TRACE)
    assert.equal(a.parentSpanId, root.spanId)
  }
  assert.deepEqual(
    attempts.map((a) => a.spanId).sort(),
    [a1.traceparent, a2.traceparent].map((tp) => parseTraceparent(tp)!.spanId).sort(),
    'the traceparent sent upstream names the attempt span',
  )
  assert.equal(parseTraceparent(req.upstreamTraceparent())!.spanId, parseTraceparent(a2.traceparent)!.spanId)
  assert.ok(!spans.some((s) => s.traceId === TRACE && s !== root && !attempts.includes(s)), 'malformed parent not joined')
  const resource = collector.bodies[0]!.json.resourceSpans[0].resource.attributes
  assert.ok(resource.some((a: any) => a.key === 'service.name' && a.value.stringValue === 'llmgw-test'))
})

test('a down collector drops spans instead of blocking; close() is bounded', async () => {
  const tracer = await createTracer({
    otlpEndpoint: 'http://127.0.0.1:9/v1/traces', sampleRatio: 1, serviceName: 'llmgw', maxQueueSize: 16, exportTimeoutMs: 300, scheduledDelayMs: 20,
  })
  for (let i = 0; i < 2000; i++) {
    const r = tracer.startRequest(undefined, undefined, {})
    r.startAttempt().end(200)
    r.end(syntheticRecord())
  }
  const started = performance.now()
  await tracer.close()
  assert.ok(performance.now() - started < 5000, 'close returned')
})

test('createTracer(undefined) gives the no-op tracer', async () => {
  const tracer = await createTracer(undefined)
  assert.equal(tracer.isExporting, false)
  assert.ok(parseTraceparent(tracer.startRequest(undefined, undefined).upstreamTraceparent()))
})
