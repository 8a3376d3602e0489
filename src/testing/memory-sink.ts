/** An in-memory Sink and Exchange for testing compiled routes without a socket (core/types.ts contracts). */
import type { Exchange, HeaderPairs, Sink } from '../core/types.js'

export class MemorySink implements Sink {
  isAborted = false
  isStarted = false
  isEnded = false
  status = 0
  headers: Record<string, string> = {}
  chunks: string[] = []
  /** When set, write() answers false this many times (backpressure) and drained() resolves after a tick. */
  slowWrites = 0
  readonly #done: { promise: Promise<void>; resolve: () => void }

  constructor() {
    let resolve!: () => void
    const promise = new Promise<void>((r) => (resolve = r))
    this.#done = { promise, resolve }
  }

  get body(): string {
    return this.chunks.join('')
  }

  json(): any {
    return JSON.parse(this.body)
  }

  /** Resolves when the response is complete. */
  get done(): Promise<void> {
    return this.#done.promise
  }

  #setHeaders(status: number, headers: HeaderPairs): void {
    this.status = status
    for (const [k, v] of headers) this.headers[k] = v
  }

  send(status: number, headers: HeaderPairs, body: string | Uint8Array): void {
    if (this.isAborted || this.isStarted) return
    this.isStarted = this.isEnded = true
    this.#setHeaders(status, headers)
    this.chunks.push(typeof body === 'string' ? body : Buffer.from(body).toString())
    this.#done.resolve()
  }

  start(status: number, headers: HeaderPairs): void {
    if (this.isAborted || this.isStarted) return
    this.isStarted = true
    this.#setHeaders(status, headers)
  }

  write(chunk: string | Uint8Array): boolean {
    if (this.isAborted || this.isEnded) return true
    this.chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString())
    if (this.slowWrites > 0) {
      this.slowWrites--
      return false
    }
    return true
  }

  drained(): Promise<void> {
    return new Promise((r) => setImmediate(r))
  }

  end(chunk?: string | Uint8Array): void {
    if (this.isAborted || this.isEnded) return
    if (chunk !== undefined) this.write(chunk)
    this.isEnded = true
    this.#done.resolve()
  }
}

/** An Exchange for a compiled route; `abort()` plays the client leaving. */
export function createTestExchange(o: {
  method?: string
  path: string
  body?: unknown
  headers?: Record<string, string>
  id?: string
}): Exchange & { abort(): void } {
  const ac = new AbortController()
  const body = o.body === undefined ? new Uint8Array() : new TextEncoder().encode(typeof o.body === 'string' ? o.body : JSON.stringify(o.body))
  return {
    id: o.id ?? 'req-test',
    method: o.method ?? 'POST',
    path: o.path,
    query: '',
    ip: '127.0.0.1',
    headers: o.headers ?? {},
    signal: ac.signal,
    receivedAt: performance.now(),
    body,
    abort: () => ac.abort(),
  }
}
