/** openai / azure-openai adapters on loopback with real undici: relay, usage stripping, text counting, URLs and headers. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import { encode } from 'gpt-tokenizer'
import { packageRoot } from '../core/package-root.js'
import { Secret } from '../core/secret.js'
import { startMockServer } from '../mock/server.js'
import type { ProviderConfig } from './config.js'
import { createProviderClient } from './index.js'
import type { AttemptSink, UpstreamCall } from './types.js'
import { recordingSink, upstreamCall } from '../testing/upstream-call.js'

type After = { after(fn: () => unknown): void }
const KEY = 'sk-test-secret-123'

const memorySink = recordingSink
const cfg = (type: ProviderConfig['type'], baseUrl: string, extra: Partial<ProviderConfig> = {}): ProviderConfig => ({
  name: 'up',
  type,
  baseUrl,
  apiKey: new Secret(KEY),
  headers: {},
  timeoutMs: 5000,
  connections: 4,
  ...extra,
})
const chat = { model: 'mock-1', messages: [{ role: 'user', content: 'hi' }] }
const call = (o: Partial<UpstreamCall> = {}): UpstreamCall => upstreamCall(chat, o)
const events = (sse: string) => sse.split('\n\n').filter(Boolean).map((e) => e.replace(/^data: /, ''))

async function client(t: After, type: ProviderConfig['type'] = 'openai', extra: Partial<ProviderConfig> = {}) {
  const m = await startMockServer({})
  const c = createProviderClient(cfg(type, `${m.url}/v1`, extra))
  t.after(async () => {
    await c.close()
    await m.close()
  })
  return { m, c }
}

/** A node:http upstream that records what it received and answers with `reply`. */
async function captureServer(t: After, reply: (req: IncomingMessage, res: ServerResponse, body: string) => void) {
  const seen: Array<{ method?: string; url?: string; headers: IncomingMessage['headers']; body: string }> = []
  const srv = createServer((req, res) => {
    let body = ''
    req.on('data', (d: Buffer) => (body += d.toString()))
    req.on('end', () => {
      seen.push({ method: req.method, url: req.url, headers: req.headers, body })
      reply(req, res, body)
    })
  })
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r))
  t.after(() => new Promise<void>((r) => srv.close(() => r())))
  srv.unref()
  return { url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}`, seen }
}

test('non-streaming chat: the upstream JSON is relayed as received, usage and model reported', async (t) => {
  const { c } = await client(t)
  const sink = memorySink()
  const r = await c.call(call(), sink)
  assert.equal(sink.contentType, 'application/json')
  const j = JSON.parse(sink.text()) as { object: string; usage: { completion_tokens: number } }
  assert.equal(j.object, 'chat.completion')
  assert.deepEqual(r.usage, { prompt_tokens: 3, completion_tokens: 20, total_tokens: 23 })
  assert.equal(r.model, 'mock-1')
  assert.ok(r.firstByteAt !== undefined)
})

test('streaming: events relayed in order; the usage chunk the gateway asked for is dropped when the client did not', async (t) => {
  const { c } = await client(t)
  const sink = memorySink()
  const r = await c.call(call({ stream: true, body: { ...chat, stream: true } }), sink)
  assert.equal(sink.contentType, 'text/event-stream')
  const ev = events(sink.text())
  assert.equal(ev.length, 23) // role + 20 content + finish + [DONE]
  assert.equal(ev.at(-1), '[DONE]')
  assert.ok(ev.slice(0, -1).every((e) => (JSON.parse(e) as { choices: unknown[] }).choices.length === 1))
  assert.equal(r.usage?.completion_tokens, 20, 'usage still accounted')
})

test('streaming: the usage chunk is relayed when the client asked for it', async (t) => {
  const { c } = await client(t)
  const sink = memorySink()
  await c.call(call({ stream: true, clientWantsUsage: true, body: { ...chat, stream: true, stream_options: { include_usage: true } } }), sink)
  const ev = events(sink.text())
  assert.equal(ev.length, 24)
  assert.deepEqual((JSON.parse(ev.at(-2)!) as { usage: { completion_tokens: number } }).usage.completion_tokens, 20)
})

test('a stream without usage is counted with the tokenizer, never zero', async (t) => {
  const bytes = readFileSync(join(packageRoot(), 'fixtures', 'upstream', 'openai', 'no-usage-crlf.sse'))
  const up = await captureServer(t, (_q, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' })
    res.end(bytes)
  })
  const c = createProviderClient(cfg('openai', up.url))
  t.after(() => c.close())
  const sink = memorySink()
  const r = await c.call(call({ stream: true }), sink)
  assert.equal(r.usage?.completion_tokens, encode('The quick brown fox jumps.').length)
  assert.ok((r.usage?.prompt_tokens ?? 0) > 0)
  assert.equal(r.model, 'llama3')
  assert.equal(sink.text().replace(/\r/g, '').split('\n\n').filter(Boolean).length, 4)
  const sent = JSON.parse(up.seen[0]!.body) as { stream: boolean; stream_options: { include_usage: boolean } }
  assert.deepEqual([sent.stream, sent.stream_options.include_usage], [true, true])
})

test('completions and embeddings go to their paths', async (t) => {
  const { c } = await client(t)
  const s1 = memorySink()
  await c.call(call({ endpoint: 'completions', body: { model: 'mock-1', prompt: 'Say' } }), s1)
  assert.equal((JSON.parse(s1.text()) as { object: string }).object, 'text_completion')
  const s2 = memorySink()
  const r = await c.call(call({ endpoint: 'embeddings', body: { model: 'e', input: 'x y z' } }), s2)
  assert.equal((JSON.parse(s2.text()) as { data: unknown[] }).data.length, 1)
  assert.deepEqual(r.usage, { prompt_tokens: 3, completion_tokens: 0, total_tokens: 3 })
})

test('openai: base path joined once, Bearer key, static and per-call headers', async (t) => {
  const up = await captureServer(t, (_q, res) => res.end(JSON.stringify({ id: 'x', object: 'chat.completion', model: 'm', choices: [], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } })))
  const c = createProviderClient(cfg('openai', `${up.url}/proxy/v1/`, { headers: { 'X-Org': 'acme' } }))
  t.after(() => c.close())
  await c.call(call({ headers: { traceparent: '00-abc-def-01' } }), memorySink())
  const s = up.seen[0]!
  assert.equal(s.url, '/proxy/v1/chat/completions')
  assert.equal(s.headers.authorization, `Bearer ${KEY}`)
  assert.equal(s.headers['x-org'], 'acme')
  assert.equal(s.headers.traceparent, '00-abc-def-01')
})

test('azure-openai: deployment URL with api-version, api-key header, no Bearer', async (t) => {
  const up = await captureServer(t, (_q, res) => res.end(JSON.stringify({ id: 'x', object: 'chat.completion', model: 'm', choices: [], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } })))
  const c = createProviderClient(cfg('azure-openai', up.url, { apiVersion: '2024-06-01' }))
  t.after(() => c.close())
  await c.call(call({ body: { ...chat, model: 'gpt4o-prod' } }), memorySink())
  const s = up.seen[0]!
  assert.equal(s.url, '/openai/deployments/gpt4o-prod/chat/completions?api-version=2024-06-01')
  assert.equal(s.headers['api-key'], KEY)
  assert.equal(s.headers.authorization, undefined)
})

test('azure-openai: a baseUrl that already holds /openai/deployments[/<name>] gets no second copy of the path', async (t) => {
  const answer = JSON.stringify({ id: 'x', object: 'chat.completion', model: 'm', choices: [], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } })
  const up = await captureServer(t, (q, res) => {
    // The real Azure answers 404 to any other path; the gateway would turn that into a 502.
    const ok = /^\/(base\/)?openai\/deployments\/[^/]+\/(chat\/completions|embeddings)\?api-version=2024-06-01$/.test(q.url ?? '')
    res.writeHead(ok ? 200 : 404, { 'content-type': 'application/json' })
    res.end(ok ? (q.url!.includes('embeddings') ? JSON.stringify({ object: 'list', data: [], model: 'm', usage: { prompt_tokens: 1, total_tokens: 1 } }) : answer) : '{"error":{"code":"404"}}')
  })
  const cases: Array<[string, string]> = [
    [`${up.url}/openai/deployments/dep1`, '/openai/deployments/dep1/chat/completions?api-version=2024-06-01'],
    [`${up.url}/openai/deployments/dep1/`, '/openai/deployments/dep1/chat/completions?api-version=2024-06-01'],
    [`${up.url}/base/openai/deployments`, '/base/openai/deployments/gpt4o-prod/chat/completions?api-version=2024-06-01'],
    [`${up.url}/openai`, '/openai/deployments/gpt4o-prod/chat/completions?api-version=2024-06-01'],
    [`${up.url}/base`, '/base/openai/deployments/gpt4o-prod/chat/completions?api-version=2024-06-01'],
  ]
  for (const [baseUrl, want] of cases) {
    const c = createProviderClient(cfg('azure-openai', baseUrl, { apiVersion: '2024-06-01' }))
    const before = up.seen.length
    // call() throws on the 404 a doubled path gets, so resolving is the 200.
    await c.call(call({ body: { ...chat, model: 'gpt4o-prod' } }), memorySink()).finally(() => c.close())
    assert.equal(up.seen[before]?.url, want, baseUrl)
  }
  const c = createProviderClient(cfg('azure-openai', `${up.url}/openai/deployments/emb1`, { apiVersion: '2024-06-01' }))
  t.after(() => c.close())
  await c.call(call({ endpoint: 'embeddings', body: { model: 'text-embedding-3-small', input: 'hi' } }), memorySink())
  assert.equal(up.seen.at(-1)?.url, '/openai/deployments/emb1/embeddings?api-version=2024-06-01')
})

test('clientFormat anthropic on an OpenAI target: Anthropic message and Anthropic SSE back', async (t) => {
  const { c } = await client(t)
  const s1 = memorySink()
  const r1 = await c.call(call({ endpoint: 'messages', clientFormat: 'anthropic' }), s1)
  const msg = JSON.parse(s1.text()) as { type: string; content: Array<{ text: string }>; usage: { output_tokens: number } }
  assert.equal(msg.type, 'message')
  assert.equal(msg.usage.output_tokens, 20)
  assert.equal(r1.usage?.completion_tokens, 20)
  const s2 = memorySink()
  await c.call(call({ endpoint: 'messages', clientFormat: 'anthropic', stream: true }), s2)
  const names = [...s2.text().matchAll(/^event: (\w+)$/gm)].map((m) => m[1])
  assert.deepEqual([names[0], names[1], names.at(-2), names.at(-1)], ['message_start', 'content_block_start', 'message_delta', 'message_stop'])
  const text = [...s2.text().matchAll(/"text_delta","text":("(?:[^"\\]|\\.)*")/g)].map((m) => JSON.parse(m[1]!) as string).join('')
  assert.equal(text, msg.content[0]?.text)
})

/** An upstream that writes each of `writes` separately, a few ms apart, so the gateway reads them one by one. */
async function pacedServer(t: After, writes: string[]) {
  return captureServer(t, (_q, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' })
    let i = 0
    const next = (): void => {
      if (i === writes.length) return void res.end()
      res.write(writes[i++])
      setTimeout(next, 5)
    }
    next()
  })
}

const chunkEvent = (o: Record<string, unknown>) => `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'llama3', ...o })}\n\n`
const delta = (content: string) => chunkEvent({ choices: [{ index: 0, delta: { content }, finish_reason: null }], usage: null })
const roleEvent = chunkEvent({ choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }], usage: null })
const finishEvent = chunkEvent({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }], usage: null })

/** A stream call through an upstream that writes `writes` one by one: what the client got, and the result. */
async function relayPaced(t: After, writes: string[]) {
  const up = await pacedServer(t, writes)
  const c = createProviderClient(cfg('openai', up.url))
  t.after(() => c.close())
  const sink = memorySink()
  const r = await c.call(call({ stream: true }), sink)
  return { r, text: sink.text() }
}

test('plain content reads are relayed byte for byte; text without usage is counted from them, never zero', async (t) => {
  const parts = ['The', ' quick', ' brown', ' "usage": fox', ' [x]', ' jumps.']
  const writes = [
    roleEvent,
    ...parts.slice(0, 4).map(delta),
    delta(parts[4]!) + delta(parts[5]!), // two events in one read
    finishEvent,
    'data: [DONE]\n\n',
  ]
  const { r, text } = await relayPaced(t, writes)
  assert.equal(text, writes.join(''))
  assert.equal(r.usage?.completion_tokens, encode(parts.join('')).length)
  assert.equal(r.model, 'llama3')
})

test('after plain reads, a usage chunk in its own read is parsed and dropped when the client did not ask for it', async (t) => {
  const usage = { prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 }
  const writes = [
    roleEvent,
    delta('a'),
    delta('b'),
    finishEvent,
    chunkEvent({ choices: [], usage }),
    'data: [DONE]\n\n',
  ]
  const { r, text } = await relayPaced(t, writes)
  assert.deepEqual(r.usage, usage)
  assert.equal(text, [...writes.slice(0, 4), writes[5]].join(''))
})

test('a read that breaks SSE after plain reads is still an upstream error, not relayed as content', async (t) => {
  const writes = [
    roleEvent,
    delta('a'),
    'data: <html>oops</html>\n\n',
  ]
  const up = await pacedServer(t, writes)
  const c = createProviderClient(cfg('openai', up.url))
  t.after(() => c.close())
  const sink = memorySink()
  await assert.rejects(c.call(call({ stream: true }), sink), (e: { code: string }) => e.code === 'upstream_error')
  assert.ok(!sink.text().includes('<html>'))
})

test('one read holding the whole stream: bytes relayed as received, the unasked usage chunk dropped, usage reported', async (t) => {
  const usage = { prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 }
  const events = [
    roleEvent,
    delta('a'), delta('b'), delta('c'),
    finishEvent,
    chunkEvent({ choices: [], usage }),
    'data: [DONE]\n\n',
  ]
  const { r, text } = await relayPaced(t, [events.join('')])
  assert.deepEqual(r.usage, usage)
  assert.equal(r.model, 'llama3')
  assert.equal(text, [...events.slice(0, 5), events[6]].join(''))
})

test('a comment before the first event: the model is still read from the first data event', async (t) => {
  const writes = [': keepalive\n\n' + chunkEvent({ choices: [{ index: 0, delta: { content: 'x' }, finish_reason: null }], usage: null }) + delta('y'), `data: ${JSON.stringify({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\ndata: [DONE]\n\n`] // no model in the last events
  const { r } = await relayPaced(t, writes)
  assert.equal(r.model, 'llama3')
  assert.equal(r.usage?.completion_tokens, encode('xy').length)
})

test('the model of the first event: read without a parse when plain (a quoted decoy before it is not taken), parsed when it has escapes', async (t) => {
  const first = (model: string) => `data: ${JSON.stringify({ id: '"model":"decoy"', object: 'chat.completion.chunk', created: 1, model, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }], usage: null })}\n\n`
  for (const model of ['org/model-v1.5', 'we\\ird"name']) {
    const writes = [first(model), delta('a'), finishEvent, 'data: [DONE]\n\n']
    const { r, text } = await relayPaced(t, writes)
    assert.equal(r.model, model)
    assert.equal(text, writes.join(''))
  }
})

test('a stream the upstream cuts mid-way reports the usage of what was relayed (never zero)', async (t) => {
  const up = await captureServer(t, (_q, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' })
    res.write(roleEvent + delta('Hello there,') + delta(' general'))
    setTimeout(() => res.socket?.destroy(), 20)
  })
  const c = createProviderClient(cfg('openai', up.url))
  t.after(() => c.close())
  const sink = memorySink()
  await assert.rejects(c.call(call({ stream: true }), sink), (e: { code: string }) => e.code === 'upstream_error')
  assert.equal(sink.partials.length, 1)
  const u = await sink.partials[0]
  assert.equal(u?.completion_tokens, encode('Hello there, general').length)
  assert.ok((u?.prompt_tokens ?? 0) > 0)
})

test('several HTTP chunks in one upstream read go to the client in one write', async (t) => {
  const httpChunk = (s: string): string => `${Buffer.byteLength(s).toString(16)}\r\n${s}\r\n`
  const up = await captureServer(t, (_q, res) => {
    // raw bytes: one TCP write holding the head and four chunked-encoding chunks (one event each, as servers send)
    const s = res.socket!
    s.write(`HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n${[roleEvent, delta('a'), delta('b'), delta('c')].map(httpChunk).join('')}`)
    setTimeout(() => s.end(`${httpChunk(finishEvent)}${httpChunk('data: [DONE]\n\n')}0\r\n\r\n`), 30)
  })
  const c = createProviderClient(cfg('openai', up.url))
  t.after(() => c.close())
  const sink = memorySink()
  const r = await c.call(call({ stream: true }), sink)
  assert.equal(sink.parts[0], [roleEvent, delta('a'), delta('b'), delta('c')].join(''), 'the first read is one write')
  assert.equal(sink.text(), [roleEvent, delta('a'), delta('b'), delta('c'), finishEvent, 'data: [DONE]\n\n'].join(''))
  assert.equal(r.model, 'llama3')
})

test('[DONE] goes to last() only from the end of the body; read on its own before the end, it is written at once', async (t) => {
  const httpChunk = (s: string): string => `${Buffer.byteLength(s).toString(16)}\r\n${s}\r\n`
  for (const endLater of [false, true]) {
    // the body's end is held back until the test has seen [DONE] reach the sink (no timing guess either way)
    let release!: () => void
    const released = new Promise<void>((r) => (release = r))
    const up = await captureServer(t, (_q, res) => {
      const s = res.socket!
      const head = `HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n`
      const body = [roleEvent, delta('a'), finishEvent, 'data: [DONE]\n\n'].map(httpChunk).join('')
      if (!endLater) return void s.end(`${head}${body}0\r\n\r\n`)
      s.write(`${head}${body}`)
      void released.then(() => s.end('0\r\n\r\n'))
    })
    const c = createProviderClient(cfg('openai', up.url))
    t.after(() => c.close())
    const sink = memorySink()
    const calls: string[] = []
    const chunk = sink.chunk
    const seen = Object.assign(sink, {
      chunk: (b: string | Uint8Array) => (calls.push(`chunk:${Buffer.from(b).toString()}`), chunk(b)),
      last: (b: string | Uint8Array) => (calls.push(`last:${Buffer.from(b).toString()}`), chunk(b)),
    })
    const done = c.call(call({ stream: true }), seen)
    if (endLater) {
      // the end has not come: [DONE] must already be on its way to the client, not held for it (held, it never
      // arrives before the end, and this gives up after 5 s)
      const wroteDone = (): boolean => calls.some((x) => x.startsWith('chunk:') && x.endsWith('data: [DONE]\n\n'))
      for (const t0 = performance.now(); !wroteDone() && performance.now() - t0 < 5000; ) await new Promise((r) => setTimeout(r, 5))
      assert.ok(wroteDone(), calls.join(' | '))
      release()
    }
    await done
    assert.equal(calls.filter((x) => x.startsWith('last:')).length, endLater ? 0 : 1, calls.join(' | '))
    assert.equal(sink.text(), [roleEvent, delta('a'), finishEvent, 'data: [DONE]\n\n'].join(''))
  }
})

test('a stream that keeps flowing is cut when the request budget runs out, whether it ends before or after the attempt timeout', async (t) => {
  // chunks every 20 ms (each gap well inside timeoutMs), for a second: only the whole-stream budget can stop it
  const up = await captureServer(t, (_q, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' })
    res.write(roleEvent)
    const tick = setInterval(() => res.write(delta('x')), 20)
    const stop = setTimeout(() => { clearInterval(tick); res.end(finishEvent + 'data: [DONE]\n\n') }, 1000)
    res.on('close', () => { clearInterval(tick); clearTimeout(stop) })
  })
  const c = createProviderClient(cfg('openai', up.url))
  t.after(() => c.close())
  for (const [timeoutMs, streamBudgetMs] of [[400, 150], [100, 300]] as const) {
    const t0 = performance.now()
    await assert.rejects(c.call(call({ stream: true, timeoutMs, streamBudgetMs }), memorySink()), (e: { code: string; message: string }) => e.code === 'upstream_timeout' && /request timeout ran out/.test(e.message))
    const took = performance.now() - t0
    // cut at the budget: not at the attempt timeout (the 100 ms one would be too early), and not at the stream's end
    assert.ok(took >= streamBudgetMs - 5 && took < 900, `timeout ${timeoutMs}, budget ${streamBudgetMs}: cut after ${took.toFixed(0)} ms`)
  }
})
