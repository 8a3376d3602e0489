/** The one uWS route handler: request -> Exchange -> current Gateway's Route -> Sink (SPEC §4). HOT PATH. */
import type { HttpRequest, HttpResponse } from 'uWebSockets.js'
import { GatewayError, toGatewayError } from '../core/errors.js'
import { isPromise } from '../core/sync.js'
import type { Exchange, Gateway, Route, Router } from '../core/types.js'
import { createTooLargeError, parseContentLength, readBody } from './body.js'
import { UwsExchange } from './exchange.js'
import { HEADER_CONTENT_LENGTH, HEADER_FORWARDED_FOR, HEADER_REQUEST_ID } from './headers.js'
import { createRequestId, sendError } from './respond.js'
import { type ServerSink, type SinkHost, UwsSink, uwsCallback } from './sink.js'

/** The Gateway a request started on, with its own in-flight count (so a swapped-out Gateway knows when it is idle). */
export interface Generation {
  readonly gateway: Gateway
}

/** What a dispatcher needs of its server: the current Gateway, in-flight counting and error reporting. */
export interface DispatchHost extends SinkHost {
  readonly gateway: Gateway
  /** A request starts on the current Gateway; it counts until its response is done and its handler has settled. */
  enter(): Generation
  leave(gen: Generation): void
  reportError(err: unknown, ex: Exchange | undefined): void
}

/** Which of the Gateway's routers an app serves: `main`, or `admin` on the admin port. */
export type RouterPick = (g: Gateway) => Router | null

const notFound: Route = {
  hasBody: false,
  handle: (ex, sink) => sendError(sink, new GatewayError('not_found', `no route for ${ex.method} ${ex.path}`)),
}

/** Decode the peer address once per request (uWS hands it over as an ArrayBuffer of ASCII). */
export const formatAddress = (ab: ArrayBuffer): string => Buffer.from(ab).toString('latin1')

/**
 * Copies what the Gateway asked for off the HttpRequest. Must run inside the uWS callback: the request is
 * stack-allocated there and gone after it.
 */
export function copyHeaders(req: HttpRequest, names: readonly string[]): Record<string, string | undefined> {
  const headers: Record<string, string | undefined> = {}
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!
    const v = req.getHeader(name)
    if (v !== '') headers[name] = v
  }
  const fwd = req.getHeader(HEADER_FORWARDED_FOR)
  if (fwd !== '') headers[HEADER_FORWARDED_FOR] = fwd
  const rid = req.getHeader(HEADER_REQUEST_ID)
  if (rid !== '') headers[HEADER_REQUEST_ID] = rid
  return headers
}

/**
 * Runs a route and makes sure the client gets an answer whatever the handler does:
 * - throws or rejects before responding: its GatewayError, or 500 internal_error (the cause goes to reportError);
 * - fails after a stream started: the connection is cut (a truncated stream must not look complete);
 * - returns (or resolves) without having started a response: that is a bug in the route -> 500.
 * A route that answers later must return a promise; server/ cannot see callbacks.
 */
export function runRoute(route: Route, ex: UwsExchange, sink: ServerSink, host: DispatchHost): void {
  let result: void | Promise<void>
  try {
    result = route.handle(ex, sink)
  } catch (e) {
    fail(e, ex, sink, host)
    ex.settle()
    return
  }
  if (isPromise(result)) {
    result.then(
      () => {
        checkAnswered(ex, sink, host)
        ex.settle()
      },
      (e: unknown) => {
        fail(e, ex, sink, host)
        ex.settle()
      },
    )
  } else {
    checkAnswered(ex, sink, host)
    ex.settle()
  }
}

function checkAnswered(ex: Exchange, sink: ServerSink, host: DispatchHost): void {
  if (sink.isStarted || sink.isAborted) return
  host.reportError(new Error(`route for ${ex.method} ${ex.path} returned without responding`), ex)
  sendError(sink, toGatewayError(undefined))
}

function fail(e: unknown, ex: Exchange, sink: ServerSink, host: DispatchHost): void {
  const err = toGatewayError(e)
  if (!(e instanceof GatewayError)) host.reportError(e, ex)
  if (sink.isAborted) return
  if (!sink.isStarted) sendError(sink, err)
  else if (!sink.isEnded) sink.destroy()
}

/** Builds the handler registered once with `app.any('/*', ...)`; it dispatches through `host.gateway` per request. */
export function createDispatch(host: DispatchHost, pick: RouterPick): (res: HttpResponse, req: HttpRequest) => void {
  return (res, req) => {
    // Captured now: this request finishes on this Gateway even if swap() installs another one meanwhile.
    const gen = host.enter()
    const gateway = gen.gateway
    const method = req.getCaseSensitiveMethod()
    const path = req.getUrl()
    const router = pick(gateway)
    const route = router === null ? notFound : router.find(method, path)
    const contentLength = route.hasBody ? parseContentLength(req.getHeader(HEADER_CONTENT_LENGTH)) : 0
    const headers = copyHeaders(req, gateway.headerNames)
    const id = createRequestId(headers[HEADER_REQUEST_ID] ?? '')
    const ex = new UwsExchange(
      id,
      method,
      path,
      req.getQuery() ?? '',
      formatAddress(res.getRemoteAddressAsText()),
      headers,
      performance.now(),
      () => host.leave(gen),
    )
    const sink = new UwsSink(res, id, host, () => ex.settle())
    sink.route = route
    sink.exchange = ex
    // HEAD runs the GET route (compile/router.ts); the sink keeps every answer to it bodiless, errors included.
    if (method === 'HEAD' || method === 'head') sink.isHead = true
    // While true, the handler has not run yet: a client leaving mid-body must settle its part too.
    let isReadingBody = false
    // Before anything async: uWS requires an abort handler on every response not answered inside this callback.
    res.onAborted(() => {
      sink.abort()
      ex.abort()
      if (isReadingBody) {
        isReadingBody = false
        ex.settle()
      }
    })
    if (!route.hasBody) {
      uwsCallback.isInside = true
      try {
        runRoute(route, ex, sink, host)
      } finally {
        uwsCallback.isInside = false
      }
      return
    }
    const max = gateway.maxBodyBytes
    if (Number.isNaN(contentLength)) {
      sink.isClosing = true
      sendError(sink, new GatewayError('invalid_request', 'invalid content-length header'))
      ex.settle()
      return
    }
    if (contentLength > max) {
      // Refuse before reading a byte; the client is told to close (the rest of the body is not worth receiving).
      sink.isClosing = true
      sendError(sink, createTooLargeError(max), route)
      ex.settle()
      return
    }
    isReadingBody = true
    readBody(
      res,
      contentLength,
      max,
      (body) => {
        isReadingBody = false
        ex.body = body
        runRoute(route, ex, sink, host)
      },
      () => {
        isReadingBody = false
        sink.isClosing = true
        sendError(sink, createTooLargeError(max), route)
        ex.settle()
      },
    )
  }
}
