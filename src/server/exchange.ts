/** The Exchange server/ builds from one uWS request, plus its in-flight bookkeeping (SPEC §4). */
import type { Exchange } from '../core/types.js'

const EMPTY = new Uint8Array(0)

/**
 * Everything is copied off the uWS HttpRequest before this is built (it is dead after the callback).
 * The AbortController is made on first use of `signal`: routes that never call upstream (healthz, models, errors)
 * skip its cost, and a signal asked for after the client left is already aborted.
 */
export class UwsExchange implements Exchange {
  readonly id: string
  readonly method: string
  readonly path: string
  readonly query: string
  readonly ip: string
  readonly headers: Readonly<Record<string, string | undefined>>
  readonly receivedAt: number
  body: Uint8Array = EMPTY
  #controller: AbortController | undefined
  #isAborted = false
  // Two things must finish before the request stops counting as in flight: the response and the handler.
  #pending = 2
  readonly #onSettled: () => void

  constructor(
    id: string,
    method: string,
    path: string,
    query: string,
    ip: string,
    headers: Record<string, string | undefined>,
    receivedAt: number,
    onSettled: () => void,
  ) {
    this.id = id
    this.method = method
    this.path = path
    this.query = query
    this.ip = ip
    this.headers = headers
    this.receivedAt = receivedAt
    this.#onSettled = onSettled
  }

  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController()
      if (this.#isAborted) this.#controller.abort()
    }
    return this.#controller.signal
  }

  get isAborted(): boolean {
    return this.#isAborted
  }

  /** The client left: fire the signal so undici drops the upstream request at once. */
  abort(): void {
    if (this.#isAborted) return
    this.#isAborted = true
    this.#controller?.abort()
  }

  /** Called once when the response is finished (or the client gone), once when the handler has settled. */
  settle(): void {
    if (--this.#pending === 0) this.#onSettled()
  }
}
