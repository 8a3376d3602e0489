/** The contract between compile/ (routing, retries, fallbacks) and the provider adapters (SPEC §3 providers). In core/ so
 * stages/ (provider-guard, batch-embeddings wrap a client) and providers/ share it without importing one another. */
import type { Cancellation } from './cancel.js'
import type { Endpoint, Usage } from './types.js'

export type ProviderType = 'openai' | 'azure-openai' | 'anthropic' | 'mock' | 'grpc' | 'graphql'

/**
 * One upstream attempt, as compile/ asks for it (built per attempt by the target's translator, src/translate/). `body`
 * is the request in the shape of `endpoint` with `model` set to the target's upstream model: the canonical OpenAI chat
 * body for chat and messages; the Responses API request for `responses` (only to a client that `speaks` it); the
 * Anthropic count_tokens request ({model, messages, system?, tools?}) for `count_tokens`. Adapters must not mutate it:
 * it may be the request's own parsed body, shared by every attempt (a fallback may cross provider types).
 */
export interface UpstreamCall {
  readonly endpoint: Endpoint
  readonly body: Record<string, unknown>
  readonly stream: boolean
  /** The client asked for `stream_options.include_usage`; when false the adapter strips the usage chunk it requested itself. */
  readonly clientWantsUsage: boolean
  /** Client disconnect (and request timeout): aborts the upstream request at once. */
  readonly signal: Cancellation
  /** Per-attempt timeout in ms (the provider's `timeout`, capped by the model's). */
  readonly timeoutMs: number
  /**
   * Streams: ms left of the request's whole timeout (server.requestTimeout) when the attempt starts. Once the stream
   * runs, timeoutMs bounds only the gaps between chunks; this bounds the whole. Absent: no whole-stream bound.
   */
  readonly streamBudgetMs?: number
  /** Extra headers for this attempt only, e.g. traceparent, x-request-id; names lower-case (not re-cased per call). */
  readonly headers?: Readonly<Record<string, string>>
  /** The format the client speaks: bytes handed to the AttemptSink are in this format. */
  readonly clientFormat: 'openai' | 'anthropic'
}

/**
 * Where an adapter writes a successful answer, already in the client's format (OpenAI JSON/SSE or Anthropic JSON/SSE).
 * begin() is called once, when the upstream has answered 2xx and before the first byte; after it, a failure can no
 * longer be retried and is reported in-stream.
 */
export interface AttemptSink {
  begin(contentType: string): void
  /** A non-streaming body in one piece, or SSE event bytes. false: client is slow, await drained(). */
  chunk(bytes: string | Uint8Array): boolean
  drained(): Promise<void>
  /**
   * Optional: the last bytes of a stream (after [DONE]), handed over only from the reader's end, when the attempt's
   * end follows: a sink may hold them and send them with the end of the response (one write instead of two).
   */
  last?(bytes: string | Uint8Array): boolean
  /**
   * A stream that began failed or was abandoned (client gone, request timeout, upstream cut): the usage of what was
   * relayed until then, the upstream's own when it reported it, else counted (SPEC §7: never accounted at zero).
   */
  partial?(usage: Promise<Usage | undefined>): void
}

/** What an attempt reports when it completes. */
export interface AttemptResult {
  /** Usage the upstream reported, or counted from the relayed text when it reported none. Never left out for chat. */
  usage: Usage | undefined
  /** The upstream model that answered, when the upstream said. */
  model: string | undefined
  /** performance.now() of the first body byte (time to first token for streams). */
  firstByteAt: number | undefined
}

/**
 * A provider built at compile time from its spec entry: undici pool, base URL, auth header and paths joined once.
 * call() throws GatewayError with extra.retryClass ('status' | 'timeout' | 'connect') and extra.upstreamStatus so the
 * retry policy can decide; after sink.begin() it throws only to report a mid-stream failure (never retried).
 */
export interface ProviderClient {
  readonly name: string
  readonly type: ProviderType
  call(req: UpstreamCall, sink: AttemptSink): Promise<AttemptResult>
  /**
   * Compile-time question: does this client relay `endpoint` natively ('responses', 'count_tokens')? Absent or false:
   * compile/ translates (Responses to chat both ways; count_tokens counted with the tokenizer). Asked once per target.
   */
  speaks?(endpoint: Endpoint): boolean
  /** Close pools and timers once nothing is in flight (reload retires removed providers). */
  close(): Promise<void>
}
