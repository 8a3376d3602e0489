/** The Sink over a uWS HttpResponse: cork, backpressure, abort (SPEC §4 streaming; STYLE "uWS rules"). */
import type { HttpResponse } from 'uWebSockets.js'
import type { HeaderPairs, Route, Sink } from '../core/types.js'
import { HEADER_CONNECTION, HEADER_CONTENT_LENGTH, HEADER_REQUEST_ID } from './headers.js'
import { formatStatusLine } from './respond.js'
import { DrainWaiters } from './drain-waiters.js'
import type { LiveList } from './live-list.js'

const RESOLVED: Promise<void> = Promise.resolve()

/** What the sink needs of its server: whether clients should close after each response (while draining). */
export interface SinkHost {
  readonly isDraining: boolean
  /** Responses not finished yet, for a shutdown that cannot wait for them any longer (cutInflight in server.ts). */
  readonly live: LiveList<UwsSink>
}

/**
 * True while the dispatcher runs a route synchronously inside the uWS request callback, where uWS has already corked
 * the socket: a sync send() then skips its own cork() (a native round trip, ~0.65 µs per call measured in a loop here).
 */
export const uwsCallback = { isInside: false }

/** A Sink as the dispatcher drives it: it also needs to know whether the response is done, and to cut it. */
export interface ServerSink extends Sink {
  readonly isEnded: boolean
  /** The handler failed after start(): finish the response in a way the client sees as failed. */
  destroy(): void
}

/**
 * One response. Every write goes through `res.cork()`: the handler usually writes after an await, outside the uWS
 * callback, and an uncorked write costs a syscall per call. After the client leaves (`abort()`, wired to onAborted by
 * the dispatcher) or after the response is finished, every method is a no-op: uWS frees the HttpResponse then.
 */
export class UwsSink implements ServerSink {
  isAborted = false
  isStarted = false
  /** The response has been fully handed to uWS (send() or end()). */
  isEnded = false
  /**
   * Tell the client to close after this response (a refused upload). We do not close it ourselves: closing with
   * unread upload bytes makes the kernel send a reset, and most clients then lose the 413 we just wrote (EPIPE).
   * uWS discards whatever of the body still arrives; nothing of it is buffered. Checked again on uWS 20.30: its
   * end(body, true) shuts down and closes at once (a raw client still uploading got EPIPE and no 413), and
   * res.close() after end() throws. A client that ignores "connection: close" keeps the socket until the ~10 s idle
   * timeout.
   */
  isClosing = false
  /** A HEAD request: headers as for GET (content-length included), never a body. Set by the dispatcher. */
  isHead = false
  readonly #res: HttpResponse
  readonly #id: string
  readonly #host: SinkHost
  readonly #onFinish: () => void
  #isBackpressured = false
  #isWritableHooked = false
  readonly #waiters = new DrainWaiters()
  // Fields that let cork() take a bound method instead of a new closure per chunk (HOT PATH for streams).
  #chunk: string | Uint8Array = ''
  #wrote = false
  #head: { status: number; headers: HeaderPairs } | undefined
  readonly #corkedWrite = (): void => {
    if (this.#head !== undefined) this.#flushHead()
    this.#wrote = this.#res.write(this.#chunk)
  }

  /** Links of the server's list of unfinished responses (live-list.ts). */
  livePrev: UwsSink | undefined = undefined
  liveNext: UwsSink | undefined = undefined
  /** The route and exchange this response answers, for finishForShutdown's caller. */
  route: Route | undefined
  exchange: { abort(reason?: unknown): void } | undefined

  /** `onFinish` runs once: when the response is finished or the client is gone, whichever comes first. */
  constructor(res: HttpResponse, id: string, host: SinkHost, onFinish: () => void) {
    this.#res = res
    this.#id = id
    this.#host = host
    this.#onFinish = onFinish
    host.live.add(this)
  }

  #finish(): void {
    this.#host.live.delete(this)
    this.#onFinish()
  }

  send(status: number, headers: HeaderPairs, body: string | Uint8Array): void {
    if (this.isAborted || this.isStarted) return
    this.isStarted = true
    this.isEnded = true
    if (uwsCallback.isInside) this.#endWhole(status, headers, body)
    else this.#res.cork(() => this.#endWhole(status, headers, body))
    this.#finish()
  }

  #endWhole(status: number, headers: HeaderPairs, body: string | Uint8Array): void {
    const res = this.#res
    this.#writeHead(status, headers)
    if (this.isHead) {
      // endWithoutBody(n) of uWS 20.30 breaks the connection for the next request: write the length ourselves.
      res.writeHeader(HEADER_CONTENT_LENGTH, String(typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength))
      res.endWithoutBody()
    } else {
      res.end(body)
    }
  }

  /**
   * Status and headers are kept and written with the first write() or end(), in the same cork: uWS puts them on the
   * wire with the first body bytes anyway, and one cork per response start saves a native round trip (HOT PATH).
   */
  start(status: number, headers: HeaderPairs): void {
    if (this.isAborted || this.isStarted) return
    this.isStarted = true
    this.#head = { status, headers }
  }

  write(chunk: string | Uint8Array): boolean {
    if (this.isAborted || this.isEnded) return false
    if (!this.isStarted) this.start(200, [])
    if (this.isHead) return true // no body for HEAD; the head goes out with end()
    this.#chunk = chunk
    this.#res.cork(this.#corkedWrite)
    this.#chunk = ''
    if (this.#wrote) return true
    if (this.isAborted) return false // the write found the socket dead: never touch res again
    // uWS kept the bytes (it never drops on write); the caller must now wait for drained() before writing more.
    this.#isBackpressured = true
    this.#hookWritable()
    return false
  }

  drained(): Promise<void> {
    if (!this.#isBackpressured || this.isAborted || this.isEnded) return RESOLVED
    return this.#waiters.wait()
  }

  end(chunk?: string | Uint8Array): void {
    if (this.isAborted || this.isEnded) return
    if (!this.isStarted) this.start(200, [])
    this.isEnded = true
    this.#res.cork(() => {
      if (this.#head !== undefined) this.#flushHead()
      if (this.isHead) this.#res.endWithoutBody()
      else this.#res.end(chunk ?? '')
    })
    this.#waiters.release()
    this.#finish()
  }

  /** The client left (uWS onAborted). The HttpResponse must not be touched from here on. */
  abort(): void {
    if (this.isAborted || this.isEnded) return
    this.isAborted = true
    this.#waiters.release()
    this.#finish()
  }

  /**
   * The server is shutting down and its grace ran out: a stream gets `event` as its last event and ends (a bare cut
   * reads as a complete answer to most SSE clients), a request not answered yet gets the error as its answer. The
   * handler's later writes are dropped (the response is ended); the caller aborts its exchange, so the upstream is too.
   */
  finishForShutdown(event: string, status: number, headers: HeaderPairs, body: string): void {
    if (this.isAborted || this.isEnded) return
    if (!this.isStarted) return this.send(status, headers, body)
    this.write(event)
    this.end()
  }

  /** Cut the connection: for a stream that cannot be finished properly (its handler failed after start()). */
  destroy(): void {
    if (this.isAborted || this.isEnded) return
    this.#res.close() // runs onAborted synchronously -> abort()
  }

  #writeHead(status: number, headers: HeaderPairs): void {
    const res = this.#res
    res.writeStatus(formatStatusLine(status))
    // One native call for all the headers (HOT PATH: each writeHeader is a JS -> C++ crossing, and a proxied answer
    // has a dozen headers). uWS writes "name: value\r\n" as given, so the pairs are joined into the first value.
    // Header values are the gateway's own or checked to be header-safe (compile/relay.ts), as with separate calls.
    let block = this.#id
    for (let i = 0; i < headers.length; i++) {
      const h = headers[i]!
      block += `\r\n${h[0]}: ${h[1]}`
    }
    res.writeHeader(HEADER_REQUEST_ID, block)
    // Never uWS's own end(body, closeConnection): on a chunked response 20.30 writes its "Connection: close" line
    // into the body. The header asks the client to close; drain() closes whatever is left at its end.
    if (this.isClosing || this.#host.isDraining) res.writeHeader(HEADER_CONNECTION, 'close')
  }

  #flushHead(): void {
    const h = this.#head!
    this.#head = undefined
    this.#writeHead(h.status, h.headers)
  }

  #hookWritable(): void {
    if (this.#isWritableHooked) return
    this.#isWritableHooked = true
    // uWS lets one onWritable handler live per response; it stays for the response's life.
    this.#res.onWritable(() => {
      this.#isBackpressured = false
      this.#waiters.release()
      return true
    })
  }

}
