/** GatewayError: every failure a client sees, rendered as OpenAI's error JSON (SPEC §4). */
import { ERROR_CODES, type ErrorCode } from './error-codes.js'

export interface GatewayErrorExtra {
  param?: string
  /** Extra response headers (core/types.ts HeaderPairs; spelled out so errors.ts and types.ts do not import each other). */
  headers?: ReadonlyArray<readonly [string, string]>
  cause?: unknown
  /** Upstream-side classification read by the retry policy: which `retry.on` class this failure belongs to. */
  retryClass?: RetryClass
  /** The HTTP status the upstream answered with, when there was one. */
  upstreamStatus?: number
  /** The upstream's own retry-after (retry-after-ms, seconds or HTTP date) in ms, when it sent one (key pools bench by it). */
  upstreamRetryAfterMs?: number
}

/** The classes a model's `retry.on` list names (SPEC §3): a status (e.g. 429), `5xx`, `timeout`, `connect`. */
export type RetryClass = 'status' | 'timeout' | 'connect'

export class GatewayError extends Error {
  override readonly name = 'GatewayError'
  readonly code: ErrorCode
  readonly extra: GatewayErrorExtra

  constructor(code: ErrorCode, message: string, extra: GatewayErrorExtra = {}) {
    super(message, extra.cause === undefined ? undefined : { cause: extra.cause })
    this.code = code
    this.extra = extra
  }

  get status(): number {
    return ERROR_CODES[this.code].status
  }

  get type(): string {
    return ERROR_CODES[this.code].type
  }

  toJSON(): { error: { message: string; type: string; param: string | null; code: ErrorCode } } {
    return { error: { message: this.message, type: this.type, param: this.extra.param ?? null, code: this.code } }
  }

  /** The JSON body, ready to write. */
  body(): string {
    return JSON.stringify(this.toJSON())
  }
}

/** Anything that is not a GatewayError is a bug: the client is told only "internal error"; the cause is kept for the log. */
export const toGatewayError = (e: unknown): GatewayError =>
  e instanceof GatewayError ? e : new GatewayError('internal_error', 'internal error', { cause: e })
