/** A hand-written Gateway for server/ tests: routes from a table, no spec, no providers (core/types.ts contracts). */
import { GatewayError } from '../core/errors.js'
import { type ServerHandle, startServer } from '../server/server.js'
import type { Exchange, Gateway, HeaderPairs, Route, Router, Sink } from '../core/types.js'

export interface FakeGatewayOptions {
  /** Shown in responses of textRoute() so tests can tell gateways apart (swap). */
  version?: string
  maxBodyBytes?: number
  headerNames?: string[]
  /** 'GET /path' -> Route */
  main: Record<string, Route>
  /** 'GET /path' -> Route; omitted: admin paths are served by main (Gateway.admin === null). */
  admin?: Record<string, Route>
  ws?: Route
}

const JSON_HEADERS: HeaderPairs = [['content-type', 'application/json']]

function sendError(sink: Sink, err: GatewayError): void {
  sink.send(err.status, [...JSON_HEADERS, ...(err.extra.headers ?? [])], err.body())
}

/** Answers like compile/'s router does: unknown path 404 not_found, known path with another method 405. */
export function createTableRouter(table: Record<string, Route>): Router {
  const byKey = new Map(Object.entries(table))
  const paths = new Set(Object.keys(table).map((k) => k.slice(k.indexOf(' ') + 1)))
  const notFound: Route = {
    hasBody: false,
    handle: (ex, sink) => sendError(sink, new GatewayError('not_found', `no route for ${ex.path}`)),
  }
  const notAllowed: Route = {
    hasBody: false,
    handle: (ex, sink) => sendError(sink, new GatewayError('method_not_allowed', `${ex.method} not allowed`)),
  }
  return {
    find: (method, path) => byKey.get(`${method} ${path}`) ?? (paths.has(path) ? notAllowed : notFound),
  }
}

export function createFakeGateway(opts: FakeGatewayOptions): Gateway & { retired: boolean } {
  return {
    version: opts.version ?? 'fake',
    maxBodyBytes: opts.maxBodyBytes ?? 1024 * 1024,
    headerNames: opts.headerNames ?? ['authorization'],
    main: createTableRouter(opts.main),
    admin: opts.admin ? createTableRouter(opts.admin) : null,
    ws: opts.ws ?? null,
    retired: false,
    async retire() {
      this.retired = true
    },
  }
}

/** 200 with a fixed text body. */
export const textRoute = (text: string): Route => ({
  hasBody: false,
  handle: (_ex, sink) => sink.send(200, [['content-type', 'text/plain']], text),
})

/** 200 echoing what the server copied off the request, as JSON. */
export const echoRoute: Route = {
  hasBody: true,
  handle: (ex: Exchange, sink) =>
    sink.send(
      200,
      JSON_HEADERS,
      JSON.stringify({
        id: ex.id,
        method: ex.method,
        path: ex.path,
        query: ex.query,
        ip: ex.ip,
        headers: ex.headers,
        bodyBytes: ex.body.byteLength,
        bodySha: ex.body.byteLength > 0 ? Buffer.from(ex.body).toString('base64').slice(0, 16) : '',
      }),
    ),
}

/** A stream of `count` SSE events `data: {"i":n}`, `gapMs` apart, then `data: [DONE]`; stops when the client leaves. */
export function sseRoute(count: number, gapMs: number, onAbort?: () => void): Route {
  return {
    hasBody: true,
    async handle(ex, sink) {
      ex.signal.addEventListener('abort', () => onAbort?.(), { once: true })
      sink.start(200, [['content-type', 'text/event-stream']])
      for (let i = 0; i < count; i++) {
        if (ex.signal.aborted) return
        if (!sink.write(`data: {"i":${i}}\n\n`)) await sink.drained()
        if (gapMs > 0) await new Promise((r) => setTimeout(r, gapMs))
      }
      sink.end('data: [DONE]\n\n')
    },
  }
}

/** startServer on 127.0.0.1:0 with a fake gateway, closed when the test ends; errors reported go to `errors`. */
export async function startFakeServer(
  t: { after(fn: () => void | Promise<void>): void },
  gateway: Gateway,
  extra: { adminPort?: number } = {},
): Promise<{ handle: ServerHandle; url: string; errors: unknown[] }> {
  const errors: unknown[] = []
  const handle = await startServer({
    host: '127.0.0.1',
    port: 0,
    gateway,
    onError: (e) => errors.push(e),
    ...extra,
  })
  t.after(() => handle.close())
  return { handle, url: `http://127.0.0.1:${handle.port}`, errors }
}
