/** The contracts the hot path shares: server/ builds Exchanges and Sinks, compile/ builds the Gateway that serves them. */
import type { Cancellation } from './cancel.js'
import type { GatewayError } from './errors.js'

export type Endpoint = 'chat' | 'completions' | 'embeddings' | 'messages' | 'responses' | 'count_tokens'

/** Response headers as [name, value] pairs; names lower-case. Precomputed at compile time where possible. */
export type HeaderPairs = ReadonlyArray<readonly [string, string]>

/** Token usage in OpenAI's names. */
export interface Usage {
  prompt_tokens: number
  completion_tokens: number
  total_tokens: number
}

/**
 * One client request, as server/ hands it over. Everything is copied off the uWS request before the first await
 * (uWS HttpRequest is stack-allocated and dead after its callback).
 */
export interface Exchange {
  /** x-request-id: the client's, or a new one. */
  readonly id: string
  readonly method: string
  /** The URL path, without the query string. */
  readonly path: string
  /** The raw query string, without '?'. */
  readonly query: string
  /** The client's address as text. */
  readonly ip: string
  /** Only the header names the Gateway asked for (`Gateway.headerNames`), lower-case. */
  readonly headers: Readonly<Record<string, string | undefined>>
  /** Fires when the client leaves; passed to undici so the upstream request is aborted at once. */
  readonly signal: Cancellation
  /** performance.now() when the request arrived. */
  readonly receivedAt: number
  /** The raw request body (empty for routes without one). */
  readonly body: Uint8Array
}

/**
 * The response direction, implemented by server/ over a uWS HttpResponse (and by tests in memory).
 * All methods are no-ops once the client has gone (`isAborted`).
 */
export interface Sink {
  readonly isAborted: boolean
  /** True once start() or send() was called. */
  readonly isStarted: boolean
  /** A whole response at once (status line, headers, body). */
  send(status: number, headers: HeaderPairs, body: string | Uint8Array): void
  /** Begin a streamed response: status and headers go out now. */
  start(status: number, headers: HeaderPairs): void
  /** Write part of a streamed body. false: the client is slow; wait for drained() before writing more. */
  write(chunk: string | Uint8Array): boolean
  /** Resolves when the client can take more (at once if it can already, or if it has gone). */
  drained(): Promise<void>
  /** Finish a streamed response, optionally with a last chunk. */
  end(chunk?: string | Uint8Array): void
}

/** One route's compiled handler. */
export interface Route {
  /** Whether server/ must read the body (bounded by Gateway.maxBodyBytes) before calling handle. */
  readonly hasBody: boolean
  handle(ex: Exchange, sink: Sink): void | Promise<void>
  /**
   * The body of an error server/ answers itself on this route (413), in the route's client dialect (/v1/messages
   * speaks Anthropic's error shape); absent: the OpenAI shape.
   */
  readonly errorBody?: (err: GatewayError) => string
  /** The last event of a stream of this route cut by the server itself (shutdown); absent: an OpenAI `data:` event. */
  readonly streamError?: (err: GatewayError) => string
}

/** Method + path -> Route, compiled once. Always answers: unknown paths get a 404 route, wrong methods a 405 route. */
export interface Router {
  find(method: string, path: string): Route
}

/** What serve needs of a compiled spec. server/ knows nothing else: not models, not providers. */
export interface Gateway {
  /** Version hash of the spec this was compiled from. */
  readonly version: string
  /** server.maxBodySize in bytes: 413 beyond this. */
  readonly maxBodyBytes: number
  /** Request header names (lower-case) to copy into Exchange.headers. */
  readonly headerNames: readonly string[]
  /** Proxied endpoints (and admin paths when admin has no port of its own). */
  readonly main: Router
  /** Admin paths on `admin.port`; null when they are served by `main`. */
  readonly admin: Router | null
  /** A WebSocket chat route at /v1/ws (SPEC §4), or null when disabled. */
  readonly ws: Route | null
  /** Called once this Gateway is no longer current: close pools etc. when its in-flight count reaches 0. */
  retire(): Promise<void>
}

/** Chain a continuation without costing a microtask when the value is already there (fastify hook runner style). */
export type MaybePromise<T> = T | Promise<T>
