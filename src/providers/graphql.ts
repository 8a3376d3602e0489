/**
 * `type: graphql` (SPEC §3 providers[].graphql, issue 12): OpenAI chat/completions in, a GraphQL query or mutation out
 * over HTTP (the one undici transport), variables filled from the chat request and the answer read back by field
 * paths under `data`. Streams use a subscription over graphql-ws when one is configured; a client disconnect
 * completes it at once. GraphQL `errors` become upstream errors in the SPEC §4 shape.
 */
import { createClient, type Client } from 'graphql-ws'
import WebSocket from 'ws'
import { GatewayError } from '../core/errors.js'
import { compileAnswerPaths, compileRequestMap, type MappedAnswer } from '../wire/field-map.js'
import { isObject } from '../wire/openai.js'
import type { ProviderConfig } from './config.js'
import { createHttpTransport, jsonBodyReader, MAX_JSON_BYTES } from './http.js'
import { abortedError, answerFormat, relayStream, relayWhole } from './text-relay.js'
import type { TextAnswer } from '../wire/text-answer.js'
import type { AttemptResult, AttemptSink, ProviderClient, UpstreamCall } from './types.js'
import { createScrubber, mapStatusError } from './upstream-errors.js'

type Obj = Record<string, unknown>

/** GraphQL error codes (extensions.code, Apollo's and common ones) that mean an HTTP status. */
const STATUS_OF_CODE: Readonly<Record<string, number>> = {
  BAD_USER_INPUT: 400,
  GRAPHQL_VALIDATION_FAILED: 400,
  GRAPHQL_PARSE_FAILED: 400,
  BAD_REQUEST: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  TOO_MANY_REQUESTS: 429,
  RATE_LIMITED: 429,
}

/** A result's `errors` -> the SPEC error (status by extensions.code; otherwise a resolver failure: 500-like, retryable as 5xx). */
export function mapGraphqlErrors(provider: string, errors: unknown, scrub: (s: string) => string): GatewayError {
  const first = Array.isArray(errors) && isObject(errors[0]) ? errors[0] : {}
  const msg = typeof first.message === 'string' ? first.message : 'GraphQL error'
  const code = isObject(first.extensions) && typeof first.extensions.code === 'string' ? first.extensions.code : ''
  const status = STATUS_OF_CODE[code]
  if (status !== undefined) return mapStatusError(provider, status, {}, msg, scrub)
  return new GatewayError('upstream_error', `provider ${provider}: GraphQL error: ${scrub(msg).slice(0, 300)}`, { retryClass: 'status', upstreamStatus: 500 })
}

const hasErrors = (r: Obj): boolean => Array.isArray(r.errors) && r.errors.length > 0

export function createGraphqlClient(cfg: ProviderConfig): ProviderClient {
  const name = cfg.name
  const g = cfg.graphql
  if (!g) throw new Error(`provider ${name}: type graphql needs graphql settings`)
  const scrub = createScrubber([cfg.apiKey?.reveal() ?? '', ...Object.values(cfg.headers)])
  const http = createHttpTransport(name, cfg.baseUrl, cfg.connections, scrub)
  const url = new URL(cfg.baseUrl)
  const path = `${url.pathname}${url.search}`
  const auth: Record<string, string> = cfg.apiKey ? { authorization: `Bearer ${cfg.apiKey.reveal()}` } : {}
  const statics = { ...Object.fromEntries(Object.entries(cfg.headers).map(([k, v]) => [k.toLowerCase(), v])), ...auth }
  const headers = { ...statics, 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' }
  const variables = compileRequestMap(g.variables)
  const response = compileAnswerPaths(g.response)
  const streamResponse = compileAnswerPaths(g.streamResponse ?? g.response)
  let ws: Client | undefined

  /** One lazy graphql-ws client per provider: a socket while subscriptions run, closed when none do. */
  const wsClient = (): Client => {
    if (ws) return ws
    const wsHeaders = statics
    class HeaderSocket extends WebSocket {
      constructor(address: string, protocols?: string | string[]) {
        super(address, protocols, { headers: wsHeaders })
      }
    }
    const wsUrl = g.wsUrl ?? cfg.baseUrl.replace(/^http/, 'ws')
    ws = createClient({ url: wsUrl, webSocketImpl: HeaderSocket, lazy: true, retryAttempts: 0, connectionParams: auth.authorization ? { authorization: auth.authorization } : {} })
    return ws
  }

  function query(req: UpstreamCall, sink: AttemptSink, fmt: TextAnswer, model: string | undefined): Promise<AttemptResult> {
    const body = JSON.stringify({ query: g!.document, variables: variables({ body: req.body, stream: false, requestId: req.headers?.['x-request-id'] }) })
    const timeoutMs = req.timeoutMs > 0 ? req.timeoutMs : cfg.timeoutMs
    return http.send({ method: 'POST', path, headers: req.headers ? { ...req.headers, ...headers } : headers, body, signal: req.signal, timeoutMs, stream: false, streamBudgetMs: undefined }, () =>
      jsonBodyReader(name, MAX_JSON_BYTES, (obj) => {
        // partial data with errors is still an answer; errors alone are the upstream's failure
        if (hasErrors(obj) && (obj.data === null || obj.data === undefined)) throw mapGraphqlErrors(name, obj.errors, scrub)
        return relayWhole(req, sink, fmt, response(obj.data), model)
      }),
    )
  }

  async function* events(it: AsyncIterableIterator<Obj>): AsyncGenerator<MappedAnswer> {
    for await (const r of it) {
      if (hasErrors(r)) throw mapGraphqlErrors(name, r.errors, scrub)
      yield streamResponse(r.data)
    }
  }

  async function call(req: UpstreamCall, sink: AttemptSink): Promise<AttemptResult> {
    const fmt = answerFormat(name, req)
    const model = typeof req.body.model === 'string' ? req.body.model : undefined
    if (!req.stream || g!.subscription === undefined) return query(req, sink, fmt, model)
    if (req.signal.aborted) throw abortedError(name, req)
    const it = wsClient().iterate({ query: g!.subscription, variables: variables({ body: req.body, stream: true, requestId: req.headers?.['x-request-id'] }) }) as AsyncIterableIterator<Obj>
    // graphql-ws reports a refused or dropped socket as a CloseEvent or an Error: a connect-class failure either way
    const mapError = (e: unknown): GatewayError =>
      e instanceof GatewayError ? e : new GatewayError('upstream_error', `provider ${name}: GraphQL subscription socket failed`, { retryClass: 'connect', cause: e })
    return relayStream(name, req, sink, fmt, { messages: events(it), cancel: () => void it.return?.() }, mapError)
  }

  return {
    name,
    type: 'graphql',
    call,
    close: async () => {
      await ws?.dispose()
      await http.close()
    },
  }
}
