/** Tracing (SPEC §3 observability.tracing): traceparent sent upstream per attempt; spans exported to an OTLP collector. */
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import { parseTraceparent } from '../observe/trace-context.js'
import { startTestGateway } from '../testing/harness.js'

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736'
const SPAN = '00f067aa0ba902b7'
const PARENT = `00-${TRACE}-${SPAN}-01`

/** A tiny OpenAI-compatible upstream that remembers the headers of every request. */
async function startUpstream(t: TestContext): Promise<{ url: string; seen: IncomingHttpHeaders[] }> {
  const seen: IncomingHttpHeaders[] = []
  const server = createServer((req, res) => {
    seen.push(req.headers)
    req.resume()
    req.on('end', () => {
      const body = JSON.stringify({
        id: 'chatcmpl-1', object: 'chat.completion', created: 1, model: 'up-model',
        choices: [{ index: 0, message: { role: 'assistant', content: 'hi', refusal: null }, finish_reason: 'stop', logprobs: null }],
        usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
      })
      res.writeHead(200, { 'content-type': 'application/json' }).end(body)
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  t.after(() => new Promise<void>((r) => server.close(() => r())))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, seen }
}

/** A local OTLP/HTTP JSON collector. */
async function startCollector(t: TestContext) {
  const spans: Array<{ traceId: string; spanId: string; parentSpanId?: string; name: string }> = []
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const json = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: typeof spans }> }> }
      for (const rs of json.resourceSpans) for (const ss of rs.scopeSpans) spans.push(...ss.spans)
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}')
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  t.after(() => new Promise<void>((r) => server.close(() => r())))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`, spans }
}

const spec = (upstream: string, extra: object = {}) => ({
  version: 1,
  providers: [{ name: 'up', type: 'openai', baseUrl: upstream, apiKey: 'sk-x' }],
  models: [{ name: 'm', targets: [{ provider: 'up', model: 'up-model' }] }],
  ...extra,
})

const chat = async (url: string, headers: Record<string, string>): Promise<number> => {
  const r = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }),
  })
  await r.arrayBuffer()
  return r.status
}

test('without tracing configured: a valid traceparent continues upstream with a new span id; none or malformed sends nothing', async (t) => {
  const up = await startUpstream(t)
  const gw = await startTestGateway(spec(up.url), { t })
  assert.equal(await chat(gw.url, { traceparent: PARENT, tracestate: 'congo=t61rcWkgMzE' }), 200)
  const sent = parseTraceparent(up.seen[0]!.traceparent as string)
  assert.ok(sent, `upstream got a valid traceparent: ${String(up.seen[0]!.traceparent)}`)
  assert.equal(sent.traceId, TRACE)
  assert.notEqual(sent.spanId, SPAN)
  assert.equal(up.seen[0]!.tracestate, 'congo=t61rcWkgMzE')
  assert.equal(await chat(gw.url, {}), 200)
  assert.equal(up.seen[1]!.traceparent, undefined)
  assert.equal(await chat(gw.url, { traceparent: `00-${TRACE}-${SPAN}-01-junk`, tracestate: 'a=b' }), 200)
  assert.equal(up.seen[2]!.traceparent, undefined, 'a malformed traceparent is not propagated')
  assert.equal(up.seen[2]!.tracestate, undefined)
})

test('with observability.tracing: a request span under the client parent and an attempt span whose id went upstream', async (t) => {
  const up = await startUpstream(t)
  const collector = await startCollector(t)
  const gw = await startTestGateway(spec(up.url, { observability: { tracing: { otlpEndpoint: collector.url, sampleRatio: 1, serviceName: 'llmgw-e2e' } } }), { t })
  assert.equal(await chat(gw.url, { traceparent: PARENT }), 200)
  assert.equal(await chat(gw.url, {}), 200)
  await gw.close() // flushes the exporter
  const sent = parseTraceparent(up.seen[0]!.traceparent as string)!
  const root = collector.spans.find((s) => s.name === 'POST /v1/chat/completions' && s.traceId === TRACE)
  assert.ok(root, `request span exported: ${JSON.stringify(collector.spans.map((s) => s.name))}`)
  assert.equal(root.parentSpanId, SPAN)
  const attempt = collector.spans.find((s) => s.name === 'llmgw.upstream' && s.traceId === TRACE)
  assert.ok(attempt)
  assert.equal(attempt.parentSpanId, root.spanId)
  assert.equal(attempt.spanId, sent.spanId, 'the traceparent sent upstream names the attempt span')
  const other = parseTraceparent(up.seen[1]!.traceparent as string)
  assert.ok(other && other.traceId !== TRACE, 'an untraced request starts its own trace when exporting')
  assert.ok(collector.spans.some((s) => s.traceId === other.traceId && s.name === 'POST /v1/chat/completions'))
})
