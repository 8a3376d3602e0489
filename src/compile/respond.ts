/** Response bodies and header blocks built once: OpenAI and Anthropic error shapes, in-stream error events (SPEC §4). */
import type { ErrorCode } from '../core/error-codes.js'
import { GatewayError } from '../core/errors.js'
import type { HeaderPairs, Route } from '../core/types.js'

export const JSON_HEADERS: HeaderPairs = [['content-type', 'application/json']]
export const SSE_HEADERS: HeaderPairs = [
  ['content-type', 'text/event-stream'],
  ['cache-control', 'no-cache'],
  // nginx and similar proxies buffer responses unless told not to: a buffered stream is no stream.
  ['x-accel-buffering', 'no'],
]
export const KEEPALIVE = ': keepalive\n\n'

/** The client's dialect: /v1/messages speaks Anthropic, /v1/responses OpenAI with Responses stream events, the rest OpenAI. */
export type ErrorFormat = 'openai' | 'anthropic' | 'responses'

const ANTHROPIC_TYPES: Record<ErrorCode, string> = {
  invalid_json: 'invalid_request_error',
  invalid_request: 'invalid_request_error',
  content_filtered: 'invalid_request_error',
  request_denied: 'invalid_request_error',
  invalid_api_key: 'authentication_error',
  model_not_allowed: 'permission_error',
  model_not_found: 'not_found_error',
  not_found: 'not_found_error',
  method_not_allowed: 'invalid_request_error',
  request_too_large: 'request_too_large',
  rate_limit_exceeded: 'rate_limit_error',
  budget_exceeded: 'rate_limit_error',
  internal_error: 'api_error',
  plugin_error: 'api_error',
  upstream_error: 'api_error',
  upstream_unavailable: 'overloaded_error',
  overloaded: 'overloaded_error',
  upstream_timeout: 'api_error',
}

/**
 * The error body in the client's dialect. Anthropic clients read `type` and `error.{type,message}`; the SPEC's
 * OpenAI fields (`error.param`, `error.code`) ride along inside `error`, so one body satisfies both (SPEC §4: errors
 * are OpenAI-shaped, on /v1/messages too).
 */
export function formatErrorBody(err: GatewayError, format: ErrorFormat): string {
  if (format !== 'anthropic') return err.body()
  return JSON.stringify({ type: 'error', error: { type: ANTHROPIC_TYPES[err.code], message: err.message, param: err.extra.param ?? null, code: err.code } })
}

/** After streaming began: one last event carrying the error, then the stream ends (never a hang, never a fake [DONE]). */
export function formatStreamError(err: GatewayError, format: ErrorFormat): string {
  if (format === 'openai') return `data: ${err.body()}\n\n`
  if (format === 'anthropic') return `event: error\ndata: ${formatErrorBody(err, 'anthropic')}\n\n`
  // the Responses stream's own error event (type/code/message/param), with OpenAI's `error` object beside them: the
  // openai SDKs raise an APIError from that, event-typed parsers (the AI SDK) read the Responses fields
  const e = err.toJSON().error
  return `event: error\ndata: ${JSON.stringify({ type: 'error', code: e.code, message: e.message, param: e.param, sequence_number: 0, error: e })}\n\n`
}

/** Header pairs for an error response: JSON content type, the error's own headers (retry-after...), the context's. */
export function formatErrorHeaders(err: GatewayError, extra: ReadonlyArray<readonly [string, string]> | undefined): HeaderPairs {
  const own = err.extra.headers
  if (!own && (!extra || extra.length === 0)) return JSON_HEADERS
  return [...JSON_HEADERS, ...(own ?? []), ...(extra ?? [])]
}

/**
 * A 404 for a family of paths, in its clients' dialect, built once (issue 11): every unknown path under /v1/messages/
 * (Anthropic SDKs call more of them, batches..., and read only Anthropic's error shape), and the stored-response paths
 * under /v1/responses/ (retrieve, cancel, input_items: the gateway keeps no responses).
 */
export function compileNotFound(message: string, format: ErrorFormat): Route {
  const body = formatErrorBody(new GatewayError('not_found', message), format)
  const route: Route = { hasBody: false, handle: (_ex, sink) => sink.send(404, JSON_HEADERS, body) }
  return format === 'anthropic' ? { ...route, errorBody: (err) => formatErrorBody(err, 'anthropic') } : route
}
