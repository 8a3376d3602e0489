/** GET /v1/models (SPEC §4): the public (non-glob) models this caller may use, in OpenAI's list format. */
import { toGatewayError } from '../core/errors.js'
import type { Caller } from '../core/pipeline.js'
import { isPromise } from '../core/sync.js'
import type { Exchange, Route, Sink } from '../core/types.js'
import type { Authenticate } from './endpoint.js'
import { formatErrorBody, formatErrorHeaders, JSON_HEADERS } from './respond.js'

export function compileModelsList(names: readonly string[], authenticate: Authenticate | undefined, createdSec: number): Route {
  const entries = names.map((id) => ({ id, object: 'model', created: createdSec, owned_by: 'llmgw' }))
  const all = JSON.stringify({ object: 'list', data: entries })
  const bodyFor = (caller: Caller | undefined): string =>
    caller === undefined ? all : JSON.stringify({ object: 'list', data: entries.filter((e) => caller.allows(e.id)) })
  const fail = (sink: Sink, e: unknown): void => {
    const err = toGatewayError(e)
    sink.send(err.status, formatErrorHeaders(err, undefined), formatErrorBody(err, 'openai'))
  }
  if (authenticate === undefined) return { hasBody: false, handle: (_ex, sink) => sink.send(200, JSON_HEADERS, all) }
  return {
    hasBody: false,
    handle(ex: Exchange, sink: Sink) {
      try {
        const c = authenticate(ex)
        if (!isPromise(c)) return sink.send(200, JSON_HEADERS, bodyFor(c))
        return c.then((caller) => sink.send(200, JSON_HEADERS, bodyFor(caller)), (e: unknown) => fail(sink, e))
      } catch (e) {
        fail(sink, e)
      }
    },
  }
}
