/**
 * The AttemptSink between provider adapters and the client Sink (SPEC §4 streaming): headers go out when the upstream
 * answers, chunks as they arrive with backpressure passed through, keepalive comments while a stream waits for its
 * first byte, and after streaming began a failure becomes one in-stream error event.
 */
import { asBuffer, concatBytes } from '../core/bytes.js'
import { GatewayError } from '../core/errors.js'
import type { HeaderPairs, Sink, Usage } from '../core/types.js'
import type { AttemptSink } from '../providers/types.js'
import type { PluginTransform } from '../stages/plugin-response.js'
import { type ErrorFormat, formatErrorBody, formatErrorHeaders, formatStreamError, KEEPALIVE, SSE_HEADERS } from './respond.js'
import type { ModelResponseFilter } from './rules.js'
import type { RuntimeTarget } from './target.js'

// The model an upstream names in its answer (or a client names for a '*' target) becomes a response header: only
// printable ASCII, bounded, may go there (a CR or LF would otherwise split the client's response).
const SAFE_HEADER_VALUE = /^[\x20-\x7e]{1,256}$/

const ATTEMPTS = Array.from({ length: 16 }, (_, i) => String(i))
const attemptsText = (n: number): string => ATTEMPTS[n] ?? String(n)

/** What the relay reads of its Call (compile/call.ts) for the response headers: where the attempts went. */
export interface AttemptInfo {
  readonly target: RuntimeTarget | undefined
  readonly attempts: number
  /** The client's model name, for targets that pass it through ('*'). */
  readonly clientModel: string
}

export class Relay implements AttemptSink {
  /** The upstream answered 2xx: from here on nothing is retried. */
  begun = false
  /** performance.now() of begin(). */
  begunAt = 0
  #contentType = 'application/json'
  #body: string | Uint8Array | undefined
  #parts: Array<string | Uint8Array> | undefined
  #keepalive: NodeJS.Timeout | undefined
  #wroteSinceTick = false
  /** A stream's last bytes, held for the end of the response (last()). */
  #tail: string | Uint8Array | undefined
  /** Set when a response filter blocked the answer: the client got (or gets) a content_filtered error instead. */
  blockedBy: GatewayError | undefined
  #partial: Promise<Usage | undefined> | undefined

  constructor(
    readonly sink: Sink,
    readonly stream: boolean,
    readonly format: ErrorFormat,
    readonly extraHeaders: Array<[string, string]>,
    readonly call: AttemptInfo,
    /** Response-scope content filter (rules), applied to each chunk's text. */
    readonly filter: ModelResponseFilter | null = null,
    /** Plugins' onChunk (each streamed event) and onResponse (the whole answer), after the filter. */
    readonly plugins: PluginTransform | undefined = undefined,
  ) {}

  /**
   * Streams only (SPEC §3 server.sseKeepalive): while the stream waits for tokens, before the upstream answers or
   * between its chunks (a reasoning model can think for minutes after its headers), an SSE comment goes out whenever a
   * tick finds nothing written since the last one, so idle proxies keep the connection. One interval per stream; a
   * chunk only clears a flag (HOT PATH).
   */
  startKeepalive(everyMs: number): void {
    if (!this.stream || everyMs <= 0) return
    this.#keepalive = setInterval(() => {
      if (this.sink.isAborted) return this.stopKeepalive()
      if (this.#wroteSinceTick) {
        this.#wroteSinceTick = false
        return
      }
      // Once these headers are out, a later failure can only be reported in-stream; retries still run meanwhile.
      // After begin() the sink holds the upstream's headers and sends them with this comment.
      if (!this.sink.isStarted) this.sink.start(200, this.extraHeaders.length ? [...SSE_HEADERS, ...this.extraHeaders] : SSE_HEADERS)
      this.sink.write(KEEPALIVE)
    }, everyMs)
    this.#keepalive.unref()
  }

  stopKeepalive(): void {
    if (this.#keepalive !== undefined) clearInterval(this.#keepalive)
    this.#keepalive = undefined
  }

  begin(contentType: string): void {
    this.begun = true
    this.begunAt = performance.now()
    this.#contentType = contentType
    if (this.stream && !this.sink.isStarted) this.sink.start(200, this.#headers(contentType, undefined))
  }

  /** AttemptSink.partial: a begun stream was cut short; compile/ takes this usage for accounting (SPEC §7). */
  partial(usage: Promise<Usage | undefined>): void {
    this.#partial = usage
  }

  /** The usage of a stream cut short, if its adapter reported one (once). */
  takePartial(): Promise<Usage | undefined> | undefined {
    const p = this.#partial
    this.#partial = undefined
    return p
  }

  // HOT PATH: one write per upstream chunk; the Sink's answer is the adapter's backpressure signal.
  chunk(bytes: string | Uint8Array): boolean {
    if (this.#tail !== undefined) this.flushTail() // bytes after last() still go out in order
    if (this.filter !== null) {
      if (this.blockedBy !== undefined) return true
      const r = this.filter(typeof bytes === 'string' ? bytes : Buffer.from(bytes).toString('utf8'), this.call.clientModel)
      if (r instanceof GatewayError) return this.#block(r)
      bytes = r
    }
    if (this.plugins !== undefined && this.stream) {
      if (this.blockedBy !== undefined) return true
      const r = this.plugins.chunk(typeof bytes === 'string' ? bytes : Buffer.from(bytes).toString('utf8'))
      if (r instanceof GatewayError) return this.#block(r)
      if (r === '') return true
      bytes = r
    }
    if (this.stream) {
      this.#wroteSinceTick = true
      return this.sink.write(bytes)
    }
    if (this.#body === undefined) this.#body = bytes
    else (this.#parts ??= [this.#body]).push(bytes)
    return true
  }

  /**
   * A stream's last bytes (the upstream sent [DONE]), from the reader's end: held so they go out with the end of the
   * response, one write instead of two (HOT PATH: each uWS write is a syscall). The end follows (finish), or a failure
   * (fail) sends them first. No timer: a per-stream setImmediate here cost an Immediate and its argument array per
   * stream for a case the contract rules out.
   */
  last(bytes: string | Uint8Array): boolean {
    if (!this.stream || this.filter !== null || this.plugins !== undefined) return this.chunk(bytes)
    this.stopKeepalive() // the stream is over: nothing may follow its last bytes
    const t = this.#tail
    this.#tail = t === undefined ? bytes : Buffer.concat([asBuffer(t), asBuffer(bytes)])
    return true
  }

  /** Send held last bytes now (before an error event, or when more bytes follow them). */
  flushTail(): void {
    const t = this.#tail
    if (t === undefined) return
    this.#tail = undefined
    this.sink.write(t)
  }

  drained(): Promise<void> {
    return this.sink.drained()
  }

  /** The attempt completed: end the stream, or send the buffered answer in one write with its length. */
  finish(answeredModel: string | undefined): void {
    this.stopKeepalive()
    if (this.blockedBy !== undefined) {
      if (!this.stream) this.fail(this.blockedBy)
      return
    }
    if (this.stream) {
      const rest = this.plugins?.end()
      if (rest instanceof GatewayError) return void this.#block(rest)
      const t = this.#tail
      this.#tail = undefined
      if (rest) this.sink.write(rest)
      return this.sink.end(t)
    }
    let body = this.#joined()
    if (this.plugins !== undefined) {
      const r = this.plugins.whole(typeof body === 'string' ? body : Buffer.from(body).toString('utf8'))
      if (r instanceof GatewayError) {
        this.blockedBy = r
        return this.fail(r)
      }
      body = r
    }
    this.sink.send(200, this.#headers(this.#contentType, answeredModel), body)
  }

  /** A filter or plugin refused the answer: the client gets (or got, in-stream) that error instead. */
  #block(err: GatewayError): true {
    this.blockedBy = err
    if (this.stream) this.fail(err)
    return true
  }

  /** The request failed: a JSON error before anything went out, else an error event that ends the stream. */
  fail(err: GatewayError): void {
    this.stopKeepalive()
    if (this.sink.isAborted) return
    if (this.sink.isStarted) {
      this.flushTail()
      this.sink.write(formatStreamError(err, this.format))
      this.sink.end()
    } else this.sink.send(err.status, this.#errorHeaders(err), formatErrorBody(err, this.format))
  }

  /** An error after upstream attempts still says where they went (SPEC §4 headers on proxied calls). */
  #errorHeaders(err: GatewayError): HeaderPairs {
    const h = formatErrorHeaders(err, this.extraHeaders)
    const { target: t, attempts } = this.call
    if (t === undefined || attempts === 0) return h
    return [...h, ['x-llmgw-provider', t.provider], ['x-llmgw-attempts', attemptsText(attempts)]]
  }

  /** Forget a non-streamed attempt's partial body before the next attempt (nothing reached the client). */
  reset(): void {
    this.begun = false
    this.#partial = undefined
    this.#body = undefined
    this.#parts = undefined
  }

  #joined(): string | Uint8Array {
    const parts = this.#parts
    if (parts === undefined) return this.#body ?? ''
    if (parts.every((p) => typeof p === 'string')) return parts.join('')
    return concatBytes(parts)
  }

  #headers(contentType: string, answeredModel: string | undefined): HeaderPairs {
    const t = this.call.target!
    const isJson = contentType === 'application/json'
    const h: Array<readonly [string, string]> = isJson ? [['content-type', contentType]] : [...SSE_HEADERS]
    if (!isJson && contentType !== 'text/event-stream') h[0] = ['content-type', contentType]
    for (const p of t.headers) h.push(p)
    const model = answeredModel ?? (t.model === '*' ? this.call.clientModel : undefined)
    if (model !== undefined && model !== t.model && SAFE_HEADER_VALUE.test(model)) {
      if (t.model !== '*') h.pop()
      h.push(['x-llmgw-model', model])
    }
    h.push(['x-llmgw-attempts', attemptsText(this.call.attempts)])
    for (const p of this.extraHeaders) h.push(p)
    return h
  }
}
