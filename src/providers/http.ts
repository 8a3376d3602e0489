/** The one undici transport (SPEC §4 upstream calls): a keep-alive Pool per origin, timeouts, abort, backpressure, error map. */
import type { Cancellation } from '../core/cancel.js'
import { Pool, type Dispatcher } from 'undici'
import { GatewayError } from '../core/errors.js'
import type { AttemptResult } from './types.js'
import { AttemptTimeout, badUpstream, mapStatusError, mapTransportError, streamTimedOut } from './upstream-errors.js'

export type ResponseHeaders = Readonly<Record<string, string | string[] | undefined>>

export interface HttpCall {
  readonly method: 'GET' | 'POST'
  /** Path with query, base path included (joined once at create time by the adapter). */
  readonly path: string
  readonly headers: Record<string, string>
  readonly body: string | undefined
  readonly signal: Cancellation
  readonly timeoutMs: number
  /**
   * true: the overall timer covers only the wait for response headers; then the body may take as long as it needs,
   * as long as no gap between chunks exceeds timeoutMs (a long reasoning stream is not cut). false: it covers the whole body.
   */
  readonly stream: boolean
  /** Streams: the whole body must end within this many ms of the call's start (the request's own timeout). */
  readonly streamBudgetMs: number | undefined
}

/** Consumes a 2xx body. Throwing (a GatewayError) from any method aborts the upstream request. */
export interface BodyReader<T> {
  /** false: stop reading from the upstream socket until drained() resolves (client backpressure). */
  data(chunk: Buffer): boolean
  drained(): Promise<void>
  end(): T | Promise<T>
  /** The call failed or was aborted after open(): the reader reports what it had relayed (AttemptSink.partial). */
  abandon?(): void
}

export interface HttpTransport {
  /** open() is called only for 2xx answers; anything else becomes the mapped GatewayError (upstream-errors.ts). */
  send<T>(call: HttpCall, open: (status: number, headers: ResponseHeaders) => BodyReader<T>): Promise<T>
  close(): Promise<void>
}

// setTimeout fires at once for delays beyond 2^31-1 ms: a "no timeout" (Infinity, huge) becomes ~24 days instead.
const MAX_TIMER_MS = 2_147_000_000

/** A usable timer delay: at least 1 ms, at most MAX_TIMER_MS. */
export function clampTimeout(ms: number): number {
  return Number.isFinite(ms) ? Math.min(Math.max(1, ms), MAX_TIMER_MS) : MAX_TIMER_MS
}

// Error bodies are read only this far: enough for a message, never a memory hazard.
const MAX_ERROR_BODY = 64 * 1024

/** The reason the call's signal carries when compile/ aborted it on purpose (request timeout), else a client-gone error. */
function abortReason(provider: string, signal: Cancellation): GatewayError {
  const r: unknown = signal.reason
  if (r instanceof GatewayError) return r
  return new GatewayError('upstream_error', `provider ${provider}: request aborted by the client`, { cause: r })
}

export function createHttpTransport(
  provider: string,
  baseUrl: string,
  connections: number,
  scrub: (s: string) => string,
): HttpTransport {
  const origin = new URL(baseUrl).origin
  const pool = new Pool(origin, { connections: Math.max(1, connections), pipelining: 1, keepAliveTimeout: 30_000 })

  function send<T>(call: HttpCall, open: (status: number, headers: ResponseHeaders) => BodyReader<T>): Promise<T> {
    const { signal } = call
    if (signal.aborted) return Promise.reject(abortReason(provider, signal))
    return new Promise<T>((resolve, reject) => {
      let controller: Dispatcher.DispatchController | undefined
      let reader: BodyReader<T> | undefined
      let status = 0
      let headers: ResponseHeaders = {}
      let errBody = ''
      let done = false
      let paused = false

      const finish = (err: GatewayError | undefined, value?: T): void => {
        if (done) return
        done = true
        clearTimeout(timer)
        signal.removeEventListener('abort', onAbort)
        if (err) reject(err)
        else resolve(value as T)
      }
      const fail = (e: unknown): void => {
        if (done) return
        const err = mapTransportError(provider, e)
        try {
          reader?.abandon?.()
        } catch {
          // accounting what was relayed must never keep the failure from being reported
        }
        finish(err)
        if (controller && !controller.aborted) controller.abort(err)
      }
      const onAbort = (): void => fail(abortReason(provider, signal))
      signal.addEventListener('abort', onAbort, { once: true })
      const timeoutMs = clampTimeout(call.timeoutMs)
      const startedAt = performance.now()
      // One timer per attempt (HOT PATH: each setTimeout/clearTimeout pair, and a list per distinct delay, cost here).
      // It first bounds the wait for response headers; once a stream runs, the whole stream is bounded by the request's
      // budget instead: the timer is re-armed for it only when it fires early, or moved up when the budget ends sooner.
      let streamDeadline = Infinity
      const onTimer = (): void => {
        if (streamDeadline === Infinity) return fail(new AttemptTimeout('attempt timeout'))
        const left = streamDeadline - performance.now()
        if (left >= 1) timer = setTimeout(onTimer, clampTimeout(left))
        else fail(streamTimedOut(provider))
      }
      let timer = setTimeout(onTimer, timeoutMs)

      const handler: Dispatcher.DispatchHandler = {
        onRequestStart(c) {
          controller = c
          if (done) c.abort(new AttemptTimeout('already finished'))
        },
        onResponseStart(_c, statusCode, h) {
          if (done || statusCode < 200) return // 1xx informational
          status = statusCode
          headers = h
          if (status >= 300) return
          if (call.stream) {
            // from here the gaps between chunks are bounded by bodyTimeout; the whole stream by the request's timeout
            const budget = call.streamBudgetMs
            if (budget === undefined || !Number.isFinite(budget)) clearTimeout(timer)
            else {
              streamDeadline = startedAt + budget
              if (streamDeadline < startedAt + timeoutMs) {
                clearTimeout(timer) // the budget ends before the timer fires: move it up
                timer = setTimeout(onTimer, clampTimeout(streamDeadline - performance.now()))
              }
            }
          }
          try {
            reader = open(status, h)
          } catch (e) {
            fail(e)
          }
        },
        onResponseData(c, chunk) {
          if (done) return
          if (!reader) {
            if (errBody.length < MAX_ERROR_BODY) errBody += chunk.toString('utf8', 0, Math.min(chunk.length, MAX_ERROR_BODY))
            return
          }
          try {
            if (!reader.data(chunk) && !paused) {
              paused = true
              c.pause()
              reader.drained().then(() => {
                paused = false
                if (!done) c.resume()
              }, fail)
            }
          } catch (e) {
            fail(e)
          }
        },
        onResponseEnd() {
          if (done) return
          if (!reader) {
            finish(mapStatusError(provider, status, headers, errBody, scrub))
            return
          }
          try {
            const v = reader.end()
            if (v instanceof Promise) v.then((x) => finish(undefined, x), fail)
            else finish(undefined, v)
          } catch (e) {
            fail(e)
          }
        },
        onResponseError(_c, err) {
          fail(err)
        },
      }
      pool.dispatch(
        {
          origin,
          path: call.path,
          method: call.method,
          headers: call.headers,
          body: call.body ?? null,
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
        },
        handler,
      )
    })
  }

  return {
    send,
    close: () => pool.close(),
  }
}

/** A BodyReader that collects a whole 2xx body, up to maxBytes (then: upstream_error, the request is aborted). */
/** A BodyReader whose end() is synchronous. */
export interface BodyCollector extends BodyReader<Buffer> {
  end(): Buffer
}

export function collectBody(provider: string, maxBytes: number): BodyCollector {
  const parts: Buffer[] = []
  let size = 0
  return {
    data(chunk) {
      size += chunk.length
      if (size > maxBytes) {
        throw new GatewayError('upstream_error', `provider ${provider}: upstream response larger than ${maxBytes} bytes`, {
          retryClass: 'status',
          upstreamStatus: 200,
        })
      }
      // undici hands out views of the socket's read buffer: copy so the parts stay valid
      parts.push(Buffer.from(chunk))
      return true
    },
    drained: () => Promise.resolve(),
    end: () => (parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts, size)),
  }
}

/** Most bytes of a non-streamed answer held at once (a huge JSON answer is refused, not buffered without bound). */
export const MAX_JSON_BYTES = 32 * 1024 * 1024

/**
 * A BodyReader for a whole JSON answer (non-streamed calls): collected up to maxBytes, parsed once, and handed to
 * `answer` with the time of its first byte. Invalid JSON or a non-object is upstream_error (retryable as a status).
 */
export function jsonBodyReader(
  provider: string,
  maxBytes: number,
  answer: (obj: Record<string, unknown>, raw: Buffer, firstByteAt: number | undefined) => Promise<AttemptResult>,
): BodyReader<AttemptResult> {
  const inner = collectBody(provider, maxBytes)
  let firstByteAt: number | undefined
  return {
    data(c) {
      firstByteAt ??= performance.now()
      return inner.data(c)
    },
    drained: inner.drained,
    end() {
      const raw = inner.end()
      let obj: unknown
      try {
        obj = JSON.parse(raw.toString('utf8'))
      } catch {
        throw badUpstream(provider, 'invalid JSON from upstream')
      }
      if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw badUpstream(provider, 'upstream answer is not a JSON object')
      return answer(obj as Record<string, unknown>, raw, firstByteAt)
    },
  }
}
