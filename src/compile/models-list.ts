/** GET /v1/models (SPEC §4): the public (non-glob) models this caller may use, in OpenAI's list format; and GET /v1/models/{id}. */
import { GatewayError, toGatewayError } from '../core/errors.js'
import type { Caller } from '../core/pipeline.js'
import { isPromise } from '../core/sync.js'
import type { Exchange, Route, Sink } from '../core/types.js'
import type { Authenticate } from './endpoint.js'
import { formatErrorBody, formatErrorHeaders, JSON_HEADERS } from './respond.js'

/** One entry of OpenAI's model list (also the body of models.retrieve). */
const modelEntry = (id: string, created: number) => ({ id, object: 'model', created, owned_by: 'llmgw' })

/**
 * A route that answers with `answer(ex, sink, caller)` once the caller is known: undefined without auth, else the
 * authenticated key (sync or async); a refused key gets its 401 in OpenAI's shape.
 */
function withCaller(authenticate: Authenticate | undefined, answer: (ex: Exchange, sink: Sink, caller: Caller | undefined) => void): Route {
  if (authenticate === undefined) return { hasBody: false, handle: (ex, sink) => answer(ex, sink, undefined) }
  const fail = (sink: Sink, e: unknown): void => {
    const err = toGatewayError(e)
    sink.send(err.status, formatErrorHeaders(err, undefined), formatErrorBody(err, 'openai'))
  }
  return {
    hasBody: false,
    handle(ex: Exchange, sink: Sink) {
      try {
        const c = authenticate(ex)
        if (!isPromise(c)) return answer(ex, sink, c)
        return c.then((caller) => answer(ex, sink, caller), (e: unknown) => fail(sink, e))
      } catch (e) {
        fail(sink, e)
      }
    },
  }
}

export function compileModelsList(names: readonly string[], authenticate: Authenticate | undefined, createdSec: number): Route {
  const entries = names.map((id) => modelEntry(id, createdSec))
  const all = JSON.stringify({ object: 'list', data: entries })
  return withCaller(authenticate, (_ex, sink, caller) =>
    sink.send(200, JSON_HEADERS, caller === undefined ? all : JSON.stringify({ object: 'list', data: entries.filter((e) => caller.allows(e.id)) })),
  )
}

const MODELS_PREFIX = '/v1/models/'

/**
 * GET /v1/models/{id} (OpenAI's models.retrieve): the model object when this caller may use it, else 404
 * model_not_found, as for a model that does not exist (the list hides them too). `id` may be percent-encoded.
 */
export function compileModelRetrieve(names: readonly string[], resolves: (id: string) => boolean, authenticate: Authenticate | undefined, createdSec: number): Route {
  const bodies = new Map(names.map((id) => [id, JSON.stringify(modelEntry(id, createdSec))]))
  return withCaller(authenticate, (ex, sink, caller) => {
    let id = ex.path.slice(MODELS_PREFIX.length)
    try {
      id = decodeURIComponent(id)
    } catch {
      // not valid percent-encoding: look it up as sent (it will not be found)
    }
    // a name a glob model serves ("gpt-*") is a model too: chat with it works, so retrieving it does
    const body = bodies.get(id) ?? (resolves(id) ? JSON.stringify(modelEntry(id, createdSec)) : undefined)
    if (body !== undefined && (caller === undefined || caller.allows(id))) return sink.send(200, JSON_HEADERS, body)
    const shown = id.length > 200 ? `${id.slice(0, 200)}...` : id
    const err = new GatewayError('model_not_found', `the model '${shown}' does not exist or this key may not use it`, { param: 'model' })
    sink.send(err.status, JSON_HEADERS, err.body())
  })
}
