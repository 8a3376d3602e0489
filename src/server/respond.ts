/** Response pieces shared by the HTTP and WebSocket sinks: status lines, request ids, error replies (SPEC §4). */
import { randomBytes } from 'node:crypto'
import { STATUS_CODES } from 'node:http'
import type { GatewayError } from '../core/errors.js'
import type { HeaderPairs, Route, Sink } from '../core/types.js'
import { CONTENT_TYPE_JSON, HEADER_CONTENT_TYPE, MAX_REQUEST_ID_LENGTH } from './headers.js'

const statusLines: string[] = []

/** "200 OK": uWS wants the whole status text; built once per status code, then reused. */
export function formatStatusLine(status: number): string {
  return (statusLines[status] ??= `${status} ${STATUS_CODES[status] ?? 'Unknown'}`)
}

// A per-thread random prefix + counter: unique across threads and restarts, and ~3x cheaper than randomUUID()
// per request (45 ns vs 140-420 ns measured on this machine, Node 20).
const idPrefix = `${randomBytes(6).toString('hex')}-`
let idCounter = 0

/** The client's x-request-id when it sent a usable one, else a new id. */
export function createRequestId(fromClient: string): string {
  if (fromClient !== '' && fromClient.length <= MAX_REQUEST_ID_LENGTH) return fromClient
  return idPrefix + (++idCounter).toString(36)
}

export const JSON_HEADERS: HeaderPairs = [[HEADER_CONTENT_TYPE, CONTENT_TYPE_JSON]]

/** The OpenAI-shaped error JSON with its status and extra headers (e.g. retry-after on a 429). */
export function sendError(sink: Sink, err: GatewayError, route?: Route): void {
  const extra = err.extra.headers
  sink.send(err.status, extra && extra.length > 0 ? [...JSON_HEADERS, ...extra] : JSON_HEADERS, route?.errorBody ? route.errorBody(err) : err.body())
}
