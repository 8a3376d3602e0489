/** `llmgw mock` server on uWebSockets.js (SPEC §2 `mock`): the OpenAI/Anthropic mock upstream and the benchmarks' "direct" baseline. */
import type { HttpResponse, HttpRequest, TemplatedApp, us_listen_socket } from 'uWebSockets.js'
import { formatMockModelList, generateMockAnswer, type MockAnswer, type MockEndpoint, mockErrorAnswer } from '../wire/mock-answer.js'
import { applyFailure, gapMs, MOCK_HEADERS, type MockControls, parseMockControls } from '../wire/mock-controls.js'
import { loadUws } from '../core/uws.js'

export interface MockServerOptions {
  host?: string
  port?: number
  latencyMs?: number
  tokensPerSecond?: number
  failRate?: number
}

export interface MockStats {
  /** API requests received (not /_mock/stats). */
  requests: number
  /** Requests whose client went away before the answer was complete. */
  aborted: number
  /** Epoch ms of the last abort. */
  lastAbortAt: number | undefined
}

export interface MockServer {
  /** http://127.0.0.1:PORT */
  url: string
  port: number
  stats(): MockStats
  close(): Promise<void>
}

// Request bodies beyond this are refused: the mock is a test tool, not a sink for arbitrary uploads.
const MAX_BODY_BYTES = 8 * 1024 * 1024
const MAX_KEPT_ANSWERS = 1024
const MAX_KEPT_BODY = 16 * 1024
const STATUS: Record<number, string> = { 200: '200 OK', 400: '400 Bad Request', 404: '404 Not Found', 413: '413 Payload Too Large', 429: '429 Too Many Requests', 500: '500 Internal Server Error' }
// A reset answer writes part of the body, then closes after this long so the client really received the first bytes.
const RESET_AFTER_MS = 30

/** Per-response state shared by the callbacks (HttpResponse may not be touched once aborted). */
interface Flight {
  aborted: boolean
  closing: boolean
  timer: NodeJS.Timeout | undefined
}

export function startMockServer(opts: MockServerOptions = {}): Promise<MockServer> {
  const uWS = loadUws()
  const host = opts.host ?? '127.0.0.1'
  const defaults = { latencyMs: opts.latencyMs ?? 0, tokensPerSecond: opts.tokensPerSecond ?? 0, failRate: opts.failRate ?? 0 }
  const stats: MockStats = { requests: 0, aborted: 0, lastAbortAt: undefined }
  const app: TemplatedApp = uWS.App()
  const modelList = formatMockModelList()

  const serve = (endpoint: MockEndpoint) => (res: HttpResponse, req: HttpRequest) => {
    stats.requests++
    const picked = MOCK_HEADERS.map((h) => req.getHeader(h)) // HttpRequest is dead after this callback
    const f: Flight = { aborted: false, closing: false, timer: undefined }
    res.onAborted(() => {
      f.aborted = true
      if (f.timer) clearTimeout(f.timer)
      if (!f.closing) {
        stats.aborted++
        stats.lastAbortAt = Date.now()
      }
    })
    readBody(res, f, (body) => {
      const c = parseMockControls((n) => picked[MOCK_HEADERS.indexOf(n as (typeof MOCK_HEADERS)[number])] || undefined, defaults)
      const answer = answerFor(endpoint, body, c.answerTokens, c.tool)
      play(res, f, answer.status === 200 ? applyFailure(endpoint, c.fail, answer) : answer, c)
    })
  }

  // Benchmarks send the same body again and again: answers are pure functions of it, so they are kept (bounded).
  // `created` of a kept answer is the time it was first made.
  const answers = new Map<string, MockAnswer>()
  const answerFor = (endpoint: MockEndpoint, body: string, answerTokens: number | undefined, tool: string | undefined): MockAnswer => {
    const key = `${endpoint}\u0000${answerTokens ?? ''}\u0000${tool ?? ''}\u0000${body}`
    let a = answers.get(key)
    if (a) return a
    let parsed: unknown
    try {
      parsed = JSON.parse(body)
    } catch {
      return mockErrorAnswer(endpoint, 400, 'request body is not valid JSON')
    }
    a = generateMockAnswer(endpoint, parsed, { ...(answerTokens === undefined ? {} : { answerTokens }), ...(tool === undefined ? {} : { tool }) })
    if (body.length <= MAX_KEPT_BODY) {
      if (answers.size >= MAX_KEPT_ANSWERS) answers.clear()
      answers.set(key, a)
    }
    return a
  }

  app.post('/v1/chat/completions', serve('chat'))
  app.post('/v1/completions', serve('completions'))
  app.post('/v1/embeddings', serve('embeddings'))
  app.post('/v1/messages', serve('messages'))
  app.post('/v1/messages/count_tokens', serve('count_tokens'))
  app.post('/v1/responses', serve('responses'))
  app.get('/v1/models', (res) => {
    stats.requests++
    res.cork(() => res.writeHeader('content-type', 'application/json').end(modelList))
  })
  app.get('/_mock/stats', (res) => {
    res.cork(() => res.writeHeader('content-type', 'application/json').end(JSON.stringify(stats)))
  })
  app.any('/*', (res, req) => {
    // under /v1/messages the client is an Anthropic one: its error shape
    const a = mockErrorAnswer(req.getUrl().startsWith('/v1/messages') ? 'messages' : 'chat', 404, 'mock: no such endpoint')
    res.cork(() => res.writeStatus(STATUS[404] as string).writeHeader('content-type', a.contentType).end(a.parts[0]))
  })

  return new Promise((resolve, reject) => {
    app.listen(host, opts.port ?? 0, (token: us_listen_socket | false) => {
      if (!token) return reject(new Error(`cannot listen on ${host}:${opts.port ?? 0} (in use?)`))
      const port = uWS.us_socket_local_port(token)
      resolve({
        url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
        port,
        stats: () => ({ ...stats }),
        close: async () => {
          uWS.us_listen_socket_close(token)
          // closes kept-alive connections too (present at runtime in this uWS build, missing from its .d.ts)
          ;(app as unknown as { close?: () => void }).close?.()
        },
      })
    })
  })
}

/** Reads the whole body (onData chunks are neutered after the callback: copy them), 413 beyond MAX_BODY_BYTES. */
function readBody(res: HttpResponse, f: Flight, done: (body: string) => void): void {
  let parts: Buffer[] | undefined
  let size = 0
  res.onData((ab, isLast) => {
    if (f.aborted || size < 0) return
    size += ab.byteLength
    if (size > MAX_BODY_BYTES) {
      size = -1
      const a = mockErrorAnswer('chat', 413, 'mock: request body too large')
      f.closing = true
      res.cork(() => res.writeStatus(STATUS[413] as string).writeHeader('content-type', a.contentType).end(a.parts[0], true))
      return
    }
    if (isLast && parts === undefined) return done(Buffer.from(ab).toString('utf8')) // decoded before the callback returns
    ;(parts ??= []).push(Buffer.from(ab.slice(0)))
    if (isLast) done(Buffer.concat(parts).toString('utf8'))
  })
}

function writeHead(res: HttpResponse, a: MockAnswer): void {
  res.writeStatus(STATUS[a.status] ?? `${a.status} Error`)
  res.writeHeader('content-type', a.contentType)
  if (a.stream) res.writeHeader('cache-control', 'no-cache')
  for (const [k, v] of a.headers) res.writeHeader(k, v)
}

/** Plays an answer out: latency, then the whole body, or stream parts paced by tokens-per-second with backpressure. */
function play(res: HttpResponse, f: Flight, a: MockAnswer, c: MockControls): void {
  if (c.fail === 'hang') return // answers nothing; onAborted counts the client leaving
  const start = (): void => {
    f.timer = undefined
    if (f.aborted) return
    if (c.fail === 'reset') return reset(res, f, a)
    const gap = gapMs(c.tokensPerSecond)
    if (!a.stream || gap === 0 || a.parts.length === 1) {
      res.cork(() => {
        writeHead(res, a)
        res.end(a.parts.length === 1 ? a.parts[0] : a.parts.join(''))
      })
      return
    }
    let i = 0
    const step = (): void => {
      f.timer = undefined
      if (f.aborted) return
      let ok = true
      res.cork(() => {
        if (i === 0) writeHead(res, a)
        const part = a.parts[i++] as string
        if (i === a.parts.length) res.end(part)
        else ok = res.write(part)
      })
      if (i === a.parts.length) return
      if (ok) f.timer = setTimeout(step, gap)
      else
        res.onWritable(() => {
          if (!f.aborted && f.timer === undefined) f.timer = setTimeout(step, gap)
          return true
        })
    }
    step()
  }
  if (c.latencyMs > 0) f.timer = setTimeout(start, c.latencyMs)
  else start()
}

/** 200, headers and the first part of the body, then the connection is closed under the client. */
function reset(res: HttpResponse, f: Flight, a: MockAnswer): void {
  const first = a.parts[0] ?? ''
  res.cork(() => {
    writeHead(res, { ...a, status: 200 })
    res.write(a.stream ? first : first.slice(0, Math.max(1, first.length >> 1)))
  })
  f.timer = setTimeout(() => {
    f.timer = undefined
    if (f.aborted) return
    f.closing = true
    res.close()
  }, RESET_AFTER_MS)
}
