/** A Sink that turns one chat request's SSE response into WebSocket messages (SPEC §4 GET /v1/ws). */
import type { WebSocket } from 'uWebSockets.js'
import type { HeaderPairs } from '../core/types.js'
import type { ServerSink } from './sink.js'
import { DrainWaiters } from './drain-waiters.js'

const RESOLVED: Promise<void> = Promise.resolve()
export const WS_DONE = '{"type":"done"}'
/** Above this many bytes queued in uWS for the socket, write() says "slow down" (uWS drops sends past maxBackpressure). */
export const WS_SOFT_BACKPRESSURE = 64 * 1024
/** An error body longer than this is cut: it is relayed as one message and must stay bounded. */
const MAX_ERROR_BYTES = 64 * 1024
/** uWS send() result meaning the message was dropped (backpressure limit). */
const DROPPED = 2

/**
 * SSE in, messages out: each event's `data:` payload becomes one text message, `[DONE]` (or the end of the
 * response) becomes `{"type":"done"}`. A non-2xx response becomes its error JSON as one message, then done.
 * Comments (`: keepalive`) and `event:`/`id:` fields carry nothing a WS client needs and are dropped.
 */
export class WsSink implements ServerSink {
  isAborted = false
  isStarted = false
  isEnded = false
  readonly #ws: WebSocket<unknown>
  readonly #onFinish: () => void
  readonly #decoder = new TextDecoder()
  #isError = false
  #errorText = ''
  #line = '' // an SSE line not yet terminated
  #data: string[] = [] // data lines of the current event
  #isDoneSent = false
  /** The socket is closed or being closed: uWS throws on any use of it from here on. */
  #isGone = false
  readonly #waiters = new DrainWaiters()

  constructor(ws: WebSocket<unknown>, onFinish: () => void) {
    this.#ws = ws
    this.#onFinish = onFinish
  }

  send(_status: number, _headers: HeaderPairs, body: string | Uint8Array): void {
    if (this.isAborted || this.isStarted) return
    this.isStarted = true
    this.isEnded = true
    this.#message(typeof body === 'string' ? body : this.#decoder.decode(body))
    this.#done()
    this.#onFinish()
  }

  start(status: number, _headers: HeaderPairs): void {
    if (this.isAborted || this.isStarted) return
    this.isStarted = true
    this.#isError = status < 200 || status >= 300
  }

  write(chunk: string | Uint8Array): boolean {
    if (this.isAborted || this.isEnded) return false
    if (!this.isStarted) this.start(200, [])
    const text = typeof chunk === 'string' ? chunk : this.#decoder.decode(chunk, { stream: true })
    if (this.#isError) {
      if (this.#errorText.length < MAX_ERROR_BYTES) this.#errorText += text.slice(0, MAX_ERROR_BYTES)
      return true
    }
    this.#parse(text)
    return this.#isGone ? false : this.#ws.getBufferedAmount() < WS_SOFT_BACKPRESSURE
  }

  drained(): Promise<void> {
    if (this.#isGone || this.isEnded || this.#ws.getBufferedAmount() < WS_SOFT_BACKPRESSURE) return RESOLVED
    return this.#waiters.wait()
  }

  end(chunk?: string | Uint8Array): void {
    if (this.isAborted || this.isEnded) return
    if (chunk !== undefined) this.write(chunk)
    if (!this.isStarted) this.start(200, [])
    this.isEnded = true
    if (this.#isError) this.#message(this.#errorText)
    else this.#parse('\n\n') // an event the upstream did not terminate still counts
    this.#done()
    this.#waiters.release()
    this.#onFinish()
  }

  /** The handler failed mid-stream: tell the client in-band; the socket stays open for its next request. */
  destroy(): void {
    if (this.isAborted || this.isEnded) return
    this.isEnded = true
    this.#message('{"error":{"message":"internal error","type":"server_error","param":null,"code":"internal_error"}}')
    this.#done()
    this.#waiters.release()
    this.#onFinish()
  }

  /** The socket closed: everything after this is a no-op. */
  abort(): void {
    if (this.isAborted || this.isEnded) return
    this.isAborted = true
    this.#isGone = true
    this.#waiters.release()
    this.#onFinish()
  }

  /** uWS `drain` event for this socket. */
  onDrain(): void {
    if (!this.#isGone && this.#ws.getBufferedAmount() < WS_SOFT_BACKPRESSURE) this.#waiters.release()
  }

  #parse(text: string): void {
    let buf = this.#line + text
    let nl: number
    while ((nl = buf.indexOf('\n')) !== -1) {
      let line = buf.slice(0, nl)
      buf = buf.slice(nl + 1)
      if (line.endsWith('\r')) line = line.slice(0, -1)
      if (line === '') this.#dispatch()
      else if (line.startsWith('data:')) this.#data.push(line.charCodeAt(5) === 32 ? line.slice(6) : line.slice(5))
    }
    this.#line = buf
  }

  #dispatch(): void {
    if (this.#data.length === 0) return
    const data = this.#data.length === 1 ? this.#data[0]! : this.#data.join('\n')
    this.#data = []
    if (data === '[DONE]') this.#done()
    else if (!this.#isDoneSent) this.#message(data)
  }

  #done(): void {
    if (this.#isDoneSent) return
    this.#isDoneSent = true
    this.#message(WS_DONE)
  }

  #message(text: string): void {
    if (this.#isGone) return
    let status = 0
    // Sends happen after awaits, outside uWS callbacks: cork so each lands in one syscall with its neighbours.
    this.#ws.cork(() => (status = this.#ws.send(text, false)))
    if (status === DROPPED) {
      // A dropped message would silently corrupt the stream: better to end the connection.
      this.#isGone = true
      this.#ws.end(1011, 'backpressure limit')
    }
  }

}
