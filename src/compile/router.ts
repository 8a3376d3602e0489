/** Method + path -> Route, compiled once (SPEC §4: 404 not_found for unknown paths, 405 method_not_allowed with allow). */
import { GatewayError } from '../core/errors.js'
import type { Route, Router } from '../core/types.js'
import { JSON_HEADERS } from './respond.js'

export type RouteTable = Readonly<Record<string, Readonly<Partial<Record<'GET' | 'POST', Route>>>>>

const notFound = new GatewayError('not_found', 'no such path')
const NOT_FOUND_ROUTE: Route = {
  hasBody: false,
  handle: (_ex, sink) => sink.send(404, JSON_HEADERS, notFound.body()),
}

/** 405, in the dialect of the path's own routes (an Anthropic client on /v1/messages reads Anthropic's error shape). */
function methodNotAllowed(allow: string, like: Route | undefined): Route {
  const err = new GatewayError('method_not_allowed', `method not allowed; allowed: ${allow}`)
  const body = like?.errorBody ? like.errorBody(err) : err.body()
  const headers = [...JSON_HEADERS, ['allow', allow] as const]
  return { hasBody: false, handle: (_ex, sink) => sink.send(405, headers, body) }
}

interface PathEntry {
  readonly get: Route | undefined
  readonly post: Route | undefined
  /** Any other method (and GET/POST when absent). */
  readonly other: Route
}

/**
 * HOT PATH: one Map lookup and a method compare; every Route object exists before the first request. A key ending in
 * `/*` matches every path below it (`/v1/models/*`: GET /v1/models/{id}); those are tried only when no exact path is.
 */
export function compileRouter(table: RouteTable): Router {
  const paths = new Map<string, PathEntry>()
  const prefixes: Array<readonly [string, PathEntry]> = []
  for (const [path, methods] of Object.entries(table)) {
    const allow = Object.keys(methods).join(', ')
    const other = methodNotAllowed(allow, methods.POST ?? methods.GET)
    const entry = { get: methods.GET, post: methods.POST, other }
    if (path.endsWith('/*')) prefixes.push([path.slice(0, -1), entry])
    else paths.set(path, entry)
  }
  const below = (path: string): PathEntry | undefined => {
    for (const [prefix, entry] of prefixes) if (path.length > prefix.length && path.startsWith(prefix)) return entry
    return undefined
  }
  return {
    find(method, path) {
      const e = paths.get(path) ?? (prefixes.length > 0 ? below(path) : undefined)
      if (e === undefined) return NOT_FOUND_ROUTE
      // server/ may hand the method in either case (uWS getMethod() is lower-case): compare both, allocate nothing.
      if (method === 'POST' || method === 'post') return e.post ?? e.other
      if (method === 'GET' || method === 'get' || method === 'HEAD' || method === 'head') return e.get ?? e.other
      return e.other
    },
  }
}
