/** Health, readiness, metrics and /admin/* routes (SPEC §4), guarded by admin.token when set. */
import { createHash, timingSafeEqual } from 'node:crypto'
import { GatewayError } from '../core/errors.js'
import type { Secret } from '../core/secret.js'
import { isPromise } from '../core/sync.js'
import type { Exchange, MaybePromise, Route, Sink } from '../core/types.js'
import type { SpecProblem } from '../spec/problems.js'
import { JSON_HEADERS } from './respond.js'
import type { RouteTable } from './router.js'
import type { StageProfile } from './stage-profile.js'

/** What /admin/reload answers: the new version, or the problems (the old spec keeps serving). */
export type ReloadOutcome =
  | { ok: true; version: string; file?: string | undefined; warnings?: readonly SpecProblem[] }
  | { ok: false; file?: string | undefined; problems: readonly SpecProblem[] }

export interface AdminDeps {
  readonly version: string
  /** The spec with secrets redacted, rendered on the first GET /admin/config (not on the reload path: a spec with
   * 10,000 keys takes ~75 ms to redact and serialise), then kept. */
  readonly spec: () => unknown
  readonly token: Secret | undefined
  /** false while draining: /readyz answers 503. Absent = always ready. */
  readonly isReady: (() => boolean) | undefined
  /** The 503 text when not ready for another reason than draining (the state store is down). */
  readonly notReady?: (() => string | undefined) | undefined
  readonly metricsText: (() => MaybePromise<string>) | undefined
  readonly reload: (() => Promise<ReloadOutcome>) | undefined
  readonly profile: StageProfile | undefined
  /**
   * How this process runs where the spec does not say it: listen overrides from flags (--host, --port, --workers) and
   * settings read only at start that a reload changed (they wait for a restart). Shown beside the spec in
   * /admin/config, so "the active spec" never misleads. Absent: nothing to add.
   */
  readonly running?: () => unknown
}

const TEXT = [['content-type', 'text/plain; charset=utf-8']] as const
const PROM = [['content-type', 'text/plain; version=0.0.4; charset=utf-8']] as const
const sha = (s: string): Buffer => createHash('sha256').update(s).digest()

export function compileAdminRoutes(d: AdminDeps): RouteTable {
  let specBody: string | undefined
  const config = (): string => {
    specBody ??= JSON.stringify(d.spec())
    return `{"version":${JSON.stringify(d.version)},"spec":${specBody}${d.running ? `,"running":${JSON.stringify(d.running())}` : ''}}`
  }
  const unauthorized = new GatewayError('invalid_api_key', 'admin endpoints need "Authorization: Bearer <admin.token>"')
  const tokenHash = d.token && !d.token.isEmpty ? sha(`Bearer ${d.token.reveal()}`) : undefined
  // Compare hashes in constant time: neither the token's length nor its prefix leaks through timing.
  const guard = (ex: Exchange, sink: Sink): boolean => {
    if (tokenHash === undefined) return true
    const given = ex.headers.authorization
    if (given !== undefined && timingSafeEqual(sha(given), tokenHash)) return true
    sink.send(401, JSON_HEADERS, unauthorized.body())
    return false
  }
  const notFound = new GatewayError('not_found', 'no such path').body()
  const table: Record<string, Partial<Record<'GET' | 'POST', Route>>> = {
    '/healthz': { GET: { hasBody: false, handle: (_ex, sink) => sink.send(200, TEXT, 'ok') } },
    '/readyz': {
      GET: {
        hasBody: false,
        handle: (_ex, sink) => (d.isReady === undefined || d.isReady() ? sink.send(200, TEXT, 'ready') : sink.send(503, TEXT, d.notReady?.() ?? 'draining')),
      },
    },
    '/metrics': {
      GET: {
        hasBody: false,
        handle: (_ex, sink) => {
          if (d.metricsText === undefined) return sink.send(404, JSON_HEADERS, notFound)
          const t = d.metricsText()
          if (!isPromise(t)) return sink.send(200, PROM, t)
          return t.then((text) => sink.send(200, PROM, text), () => sink.send(500, JSON_HEADERS, new GatewayError('internal_error', 'metrics failed').body()))
        },
      },
    },
    '/admin/config': { GET: { hasBody: false, handle: (ex, sink) => void (guard(ex, sink) && sink.send(200, JSON_HEADERS, config())) } },
    '/admin/reload': {
      POST: {
        hasBody: true,
        handle: async (ex, sink) => {
          if (!guard(ex, sink)) return
          if (d.reload === undefined) return sink.send(404, JSON_HEADERS, notFound)
          const r = await d.reload()
          if (r.ok) sink.send(200, JSON_HEADERS, JSON.stringify({ ok: true, version: r.version, file: r.file ?? null, warnings: r.warnings ?? [] }))
          else
            sink.send(400, JSON_HEADERS, JSON.stringify({
              ok: false,
              error: { message: `the spec has ${r.problems.length} problem(s); the old spec keeps serving`, type: 'invalid_request_error', param: null, code: 'invalid_request' },
              problems: r.problems,
            }))
        },
      },
    },
  }
  if (d.profile) {
    const profile = d.profile
    table['/admin/stages'] = {
      GET: { hasBody: false, handle: (ex, sink) => void (guard(ex, sink) && sink.send(200, JSON_HEADERS, JSON.stringify(profile.snapshot()))) },
      POST: { hasBody: true, handle: (ex, sink) => void (guard(ex, sink) && (profile.reset(), sink.send(200, JSON_HEADERS, '{"ok":true}'))) },
    }
  }
  return table
}
