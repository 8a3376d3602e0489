/**
 * The answer half of a translating pair (SPEC §4 "translated both ways"): an AttemptSink in front of the call's sink
 * that rewrites the backend's bytes into the client's format. Streams: SSE events in, rewritten events out, one inner
 * write per upstream write (backpressure passes through). Whole answers: collected, rewritten once at end().
 */
import { asBuffer } from '../core/bytes.js'
import { GatewayError } from '../core/errors.js'
import { isObject } from '../wire/openai.js'
import { createSseSplitter, type SseEvent } from '../wire/sse.js'
import type { AttemptResult, AttemptSink } from '../providers/types.js'
import type { TranslatingSink } from './types.js'

type Obj = Record<string, unknown>
const decoder = new TextDecoder()

export abstract class RewritingSink implements TranslatingSink {
  readonly #inner: AttemptSink
  readonly #split: ReturnType<typeof createSseSplitter> | undefined
  #out = ''
  #json: Uint8Array[] | undefined

  constructor(inner: AttemptSink, stream: boolean) {
    this.#inner = inner
    this.#split = stream ? createSseSplitter((e) => this.onEvent(e)) : undefined
  }

  /** One backend event (the adapter validated it); emit() what the client gets for it. */
  protected abstract onEvent(e: SseEvent): void
  /** The stream ended: emit() the client's closing events. */
  protected abstract closeStream(): void
  /** The client's whole answer for the backend's (an object). */
  protected abstract rewrite(whole: Obj, res: AttemptResult): string
  /** Named in the error when a whole answer does not decode. */
  protected abstract readonly target: string

  protected emit(s: string): void {
    this.#out += s
  }

  begin(contentType: string): void {
    this.#inner.begin(contentType)
  }

  // HOT PATH (per upstream read of a translated stream)
  chunk(bytes: string | Uint8Array): boolean {
    if (this.#split === undefined) {
      ;(this.#json ??= []).push(asBuffer(bytes))
      return true
    }
    this.#split.push(asBuffer(bytes))
    return this.#flush()
  }

  last(bytes: string | Uint8Array): boolean {
    return this.chunk(bytes)
  }

  drained(): Promise<void> {
    return this.#inner.drained()
  }

  partial(usage: Promise<AttemptResult['usage']>): void {
    this.#inner.partial?.(usage)
  }

  end(res: AttemptResult): void {
    if (this.#split !== undefined) {
      this.#split.end()
      this.closeStream()
      this.#flush()
    } else {
      const parts = this.#json ?? []
      let whole: unknown
      try {
        whole = JSON.parse(decoder.decode(parts.length === 1 ? parts[0] : Buffer.concat(parts)))
      } catch {
        whole = undefined
      }
      // the adapter checked the answer; a non-object here is reported like a bad upstream (nothing was sent yet)
      if (!isObject(whole)) throw new GatewayError('upstream_error', `the upstream answer could not be translated to ${this.target}`, { retryClass: 'status', upstreamStatus: 200 })
      this.#inner.chunk(this.rewrite(whole, res))
    }
    // sinks compose (responses -> chat -> anthropic): the inner one ends after this one wrote its last bytes
    ;(this.#inner as Partial<TranslatingSink>).end?.(res)
  }

  #flush(): boolean {
    if (this.#out === '') return true
    const s = this.#out
    this.#out = ''
    return this.#inner.chunk(s)
  }
}
