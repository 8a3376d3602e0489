/**
 * gRPC status -> SPEC §4 error (issue 12): UNAVAILABLE is a connect failure (retryable like a refused connection),
 * DEADLINE_EXCEEDED is upstream_timeout, the rest go through the HTTP status map with the status gRPC's own HTTP
 * mapping gives them (RESOURCE_EXHAUSTED = 429, INVALID_ARGUMENT = 400, INTERNAL = 500...), so `retry.on` lists
 * like [429, 5xx, timeout, connect] mean the same for a gRPC upstream as for an HTTP one.
 */
import { GatewayError } from '../core/errors.js'
import { AttemptTimeout, mapStatusError, mapTransportError } from './upstream-errors.js'

/** grpc-js Status numbers (stable across implementations: they are the protocol's). */
const HTTP_OF: Readonly<Record<number, number>> = {
  1: 499, // CANCELLED (by the server or a proxy; our own cancels are reported as the client's abort)
  2: 500, // UNKNOWN
  3: 400, // INVALID_ARGUMENT
  5: 404, // NOT_FOUND
  6: 409, // ALREADY_EXISTS
  7: 403, // PERMISSION_DENIED
  8: 429, // RESOURCE_EXHAUSTED
  9: 400, // FAILED_PRECONDITION
  10: 409, // ABORTED
  11: 400, // OUT_OF_RANGE
  12: 501, // UNIMPLEMENTED
  13: 500, // INTERNAL
  15: 500, // DATA_LOSS
  16: 401, // UNAUTHENTICATED
}
const DEADLINE_EXCEEDED = 4
const UNAVAILABLE = 14

interface StatusLike {
  code?: unknown
  details?: unknown
}

/** A failed gRPC call -> the client-facing error (details scrubbed of the provider's secrets, never the address). */
export function mapGrpcError(provider: string, e: unknown, scrub: (s: string) => string): GatewayError {
  if (e instanceof GatewayError) return e
  const s = (e ?? {}) as StatusLike
  const code = typeof s.code === 'number' ? s.code : undefined
  if (code === undefined) return mapTransportError(provider, e)
  if (code === DEADLINE_EXCEEDED) return mapTransportError(provider, new AttemptTimeout('grpc deadline exceeded'))
  if (code === UNAVAILABLE) return new GatewayError('upstream_error', `provider ${provider}: upstream unavailable (gRPC UNAVAILABLE)`, { retryClass: 'connect', cause: e })
  const details = typeof s.details === 'string' ? s.details : ''
  return mapStatusError(provider, HTTP_OF[code] ?? 500, {}, details, scrub)
}
