/** GET /v1/ws: chat over a WebSocket, one request per text message, replies as chunk JSONs + done (SPEC §4). */
import type { HttpRequest, HttpResponse, TemplatedApp, WebSocket } from 'uWebSockets.js'
import { GatewayError } from '../core/errors.js'
import { UwsExchange } from './exchange.js'
import { HEADER_REQUEST_ID, HEADER_WS_EXTENSIONS, HEADER_WS_KEY, HEADER_WS_PROTOCOL } from './headers.js'
import { createRequestId } from './respond.js'
import { copyHeaders, type DispatchHost, formatAddress, runRoute } from './routes.js'
import { WS_DONE, WsSink } from './ws-sink.js'

export const WS_PATH = '/v1/ws'
/** The path the ws Route is told it serves: it is the chat route, fed one message at a time. */
const CHAT_PATH = '/v1/chat/completions'
/** uWS closes a socket whose message exceeds this; the Gateway's own (smaller) maxBodyBytes is checked per message. */
const MAX_PAYLOAD_BYTES = 16 * 1024 * 1024
/** Past this many bytes queued, uWS drops sends; WsSink slows the handler long before (WS_SOFT_BACKPRESSURE). */
const MAX_BACKPRESSURE_BYTES = 16 * 1024 * 1024
/** Messages waiting behind the one being answered; one more is refused with `overloaded`. */
const MAX_QUEUED = 16

interface WsState {
  readonly ip: string
  readonly headers: Record<string, string | undefined>
  /** Requests are answered one at a time so replies never interleave; the rest wait here. */
  readonly queue: string[]
  current: { ex: UwsExchange; sink: WsSink } | undefined
  isClosed: boolean
}

type Socket = WebSocket<WsState>

function sendNow(ws: Socket, text: string): void {
  if (!ws.getUserData().isClosed) ws.cork(() => ws.send(text, false))
}

function reject(ws: Socket, err: GatewayError): void {
  sendNow(ws, err.body())
  sendNow(ws, WS_DONE)
}

/** Parses one message into the body the chat Route expects, with `stream` forced on; a GatewayError when unusable. */
export function parseWsRequest(text: string, maxBytes: number): Uint8Array | GatewayError {
  let obj: unknown
  try {
    obj = JSON.parse(text)
  } catch {
    return new GatewayError('invalid_json', 'the message is not valid JSON')
  }
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
    return new GatewayError('invalid_request', 'the message must be a JSON object (a chat completion request)')
  }
  ;(obj as { stream?: unknown }).stream = true
  const body = Buffer.from(JSON.stringify(obj))
  return body.byteLength > maxBytes ? new GatewayError('request_too_large', `message exceeds ${maxBytes} bytes`) : body
}

/** Take the next queued message, if any, and answer it on the Gateway current at that moment. */
function next(ws: Socket, host: DispatchHost): void {
  const state = ws.getUserData()
  while (!state.isClosed && state.current === undefined) {
    const text = state.queue.shift()
    if (text === undefined) return
    const gen = host.enter()
    const gateway = gen.gateway
    const route = gateway.ws
    if (route === null) {
      host.leave(gen)
      reject(ws, new GatewayError('not_found', 'the WebSocket endpoint is disabled'))
      continue
    }
    const body = parseWsRequest(text, gateway.maxBodyBytes)
    if (body instanceof GatewayError) {
      host.leave(gen)
      reject(ws, body)
      continue
    }
    const id = createRequestId('')
    const ex = new UwsExchange(id, 'POST', CHAT_PATH, '', state.ip, state.headers, performance.now(), () => {
      host.leave(gen)
      state.current = undefined
      next(ws, host)
    })
    ex.body = body
    const sink = new WsSink(ws as WebSocket<unknown>, () => ex.settle())
    state.current = { ex, sink }
    runRoute(route, ex, sink, host)
  }
}

/**
 * Registers /v1/ws once. When the current Gateway has no ws route (or the server is draining), the upgrade request
 * is served by `fallback` like any other GET (the Gateway's router answers 404).
 */
export function registerWebSocket(
  app: TemplatedApp,
  host: DispatchHost,
  fallback: (res: HttpResponse, req: HttpRequest) => void,
): void {
  app.ws<WsState>(WS_PATH, {
    maxPayloadLength: MAX_PAYLOAD_BYTES,
    maxBackpressure: MAX_BACKPRESSURE_BYTES,
    idleTimeout: 120,
    upgrade: (res, req, context) => {
      const gateway = host.gateway
      if (gateway.ws === null || host.isDraining) {
        fallback(res, req)
        return
      }
      const headers = copyHeaders(req, gateway.headerNames)
      delete headers[HEADER_REQUEST_ID] // ids are per message here
      const state: WsState = {
        ip: formatAddress(res.getRemoteAddressAsText()),
        headers,
        queue: [],
        current: undefined,
        isClosed: false,
      }
      res.upgrade(
        state,
        req.getHeader(HEADER_WS_KEY),
        req.getHeader(HEADER_WS_PROTOCOL),
        req.getHeader(HEADER_WS_EXTENSIONS),
        context,
      )
    },
    message: (ws, message, isBinary) => {
      const state = ws.getUserData()
      if (isBinary) {
        reject(ws, new GatewayError('invalid_request', 'send chat requests as text messages'))
        return
      }
      if (state.queue.length >= MAX_QUEUED) {
        reject(ws, new GatewayError('overloaded', `more than ${MAX_QUEUED} requests waiting on this socket`))
        return
      }
      // Copy now: uWS neuters the ArrayBuffer when this callback returns.
      state.queue.push(Buffer.from(message).toString('utf8'))
      next(ws, host)
    },
    drain: (ws) => ws.getUserData().current?.sink.onDrain(),
    close: (ws) => {
      const state = ws.getUserData()
      state.isClosed = true
      state.queue.length = 0
      const cur = state.current
      if (cur) {
        cur.sink.abort()
        cur.ex.abort()
      }
    },
  })
}
