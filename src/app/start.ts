/** The composition root (SPEC §2 serve, §6 reload): load -> compile -> serve; reload -> swap; shutdown -> drain, close in reverse. */
import type { Exchange } from '../core/types.js'
import { type CompiledGateway, type CompileDeps, compileGateway } from '../compile/gateway.js'
import type { ReloadOutcome } from '../compile/admin.js'
import { createProviderPool } from '../compile/provider-pool.js'
import { compileProtection, type ProtectionDeps } from '../compile/protection.js'
import type { Store } from '../state/types.js'
import { createAppState, restartOnlyChanges } from './app-state.js'
import { trackUse } from '../state/registry.js'
import type { AppObservability } from './observe.js'
import { type ServerHandle, startServer } from '../server/server.js'
import { loadSpec, type LoadResult } from '../spec/load.js'
import type { SpecProblem } from '../spec/problems.js'
import type { Spec } from '../spec/schema.js'
import { startSpecWatch } from './watch.js'

export type { ReloadOutcome } from '../compile/admin.js'

/** The few log calls the app makes (observe/logger.ts Logger fits). */
export interface AppLog {
  info(msg: string, fields?: Readonly<Record<string, unknown>>): void
  warn(msg: string, fields?: Readonly<Record<string, unknown>>): void
  error(msg: string, fields?: Readonly<Record<string, unknown>>): void
}

export interface StartOptions {
  file?: string
  host?: string
  port?: number
  workers?: number
  watch: boolean
  dashboard: boolean
  cwd?: string
  env?: NodeJS.ProcessEnv
  log?: AppLog
  /** Extra compile hooks (auth, guards, observer, metrics...); reload and readiness are the app's own. */
  compileDeps?: Omit<CompileDeps, 'reload' | 'isReady' | 'providerPool' | 'version'>
  /** What POST /admin/reload runs (worker threads: reload every worker); default: this app's reload. */
  adminReload?: (reloadHere: () => Promise<ReloadOutcome>) => Promise<ReloadOutcome>
  /** Listen on a port other threads share (worker threads). */
  sharedPort?: boolean
  /** Where limits and budgets are counted; default a memory store of this thread (workers pass a shared one). */
  store?: Store
  /** Write the access log (spec.observability.accessLog); default true. Tests turn it off; beside the dashboard a file log is still written (app/observe.ts). */
  accessLog?: boolean
  /** Count reloads in llmgw_config_reloads_total (default true; --workers: worker 0 only). */
  countReloads?: boolean
}

export interface App {
  readonly url: string
  readonly port: number
  readonly adminPort: number | undefined
  readonly adminUrl: string | undefined
  /** The spec file serving now; undefined for the embedded default. */
  readonly file: string | undefined
  readonly version: string
  /** How many threads serve (1, or --workers N). */
  readonly workers: number
  /** The Gateway serving now; undefined with --workers > 1 (each worker thread has its own). */
  readonly gateway: CompiledGateway | undefined
  /** The uWS server; undefined with --workers > 1. */
  readonly server: ServerHandle | undefined
  /** Metrics, access log and the dashboard's snapshot (undefined with --workers > 1). */
  readonly observe: AppObservability | undefined
  /** Runtime entities kept across reloads (breakers, response caches, experiments); undefined with --workers > 1. */
  readonly stateSize?: number
  reload(): Promise<ReloadOutcome>
  /** /readyz -> 503, stop listening, drain in-flight requests up to server.shutdownGrace, close. Idempotent. */
  shutdown(): Promise<void>
}

/** The spec is invalid at start: serve exits 1 with these problems. */
export class SpecLoadError extends Error {
  override readonly name = 'SpecLoadError'
  constructor(readonly problems: readonly SpecProblem[], readonly file: string | undefined) {
    super(`the spec has ${problems.length} problem(s)`)
  }
}

/** Longest pre-drain: how long /readyz answers 503 on new connections before the listener closes. */
const PRE_DRAIN_MS = 2000
const silent: AppLog = { info() {}, warn() {}, error() {} }

/** Loads the spec (SpecLoadError when invalid), then serves it on this thread or on --workers N threads. */
export async function startApp(opts: StartOptions): Promise<App> {
  const cwd = opts.cwd ?? process.cwd()
  const first = await loadSpec({ ...(opts.file === undefined ? {} : { file: opts.file }), cwd, ...(opts.env ? { env: opts.env } : {}) })
  if (!first.ok) throw new SpecLoadError(first.problems, first.file)
  const workers = opts.workers ?? first.spec.server.workers
  if (workers > 1) {
    const { startWorkerApp } = await import('./workers-app.js')
    return startWorkerApp(opts, first, workers)
  }
  return startLocalApp(opts, first)
}

/** Serves on this thread (also what each worker thread runs). */
export async function startLocalApp(opts: StartOptions, first: LoadResult & { ok: true }): Promise<App> {
  const log = opts.log ?? silent
  const cwd = opts.cwd ?? process.cwd()
  const load = (file: string | undefined): Promise<LoadResult> => loadSpec({ ...(file === undefined ? {} : { file }), cwd, ...(opts.env ? { env: opts.env } : {}) })

  let ready = false
  const pool = createProviderPool()
  const protections = new WeakMap<CompiledGateway, ProtectionDeps>()
  const retire = (g: CompiledGateway): Promise<void> => g.retire().then(() => protections.get(g)?.close())
  // Outlives every compiled spec, so counters, breakers and cache entries of unchanged entities carry over (SPEC §6).
  const shared = await createAppState(opts, first, log, () => protections.get(gateway))
  const observe = shared.observe
  const onError = (err: unknown, ex: Exchange | undefined): void =>
    log.error('internal error', { requestId: ex?.id, err: err instanceof Error ? { message: err.message, stack: err.stack } : String(err) })
  // What each compiled spec asked the registry for: after its swap, the rest is dropped (SPEC §6 carry-over, bounded).
  const stateUsed = new WeakMap<CompiledGateway, ReadonlySet<string>>()
  const compile = (spec: Spec, version: string): CompiledGateway => {
    const tracked = trackUse(shared.protection.registry)
    const protection = compileProtection(spec, { ...shared.protection, registry: tracked.registry })
    const { close: _close, guarded: _guarded, ...hooks } = protection
    const g = compileGateway(spec, {
      onError,
      ...hooks,
      ...(observe.observer ? { observer: observe.observer } : {}),
      ...(observe.metricsText ? { metricsText: observe.metricsText } : {}),
      ...opts.compileDeps,
      headerNames: [...(hooks.headerNames ?? []), ...(opts.compileDeps?.headerNames ?? [])],
      version,
      providerPool: pool,
      registry: tracked.registry,
      onRollback: shared.onRollback,
      tracer: shared.tracer,
      isReady: () => ready && shared.storeReady(),
      notReady: () => (ready ? 'state store unavailable' : undefined),
      reload: () => (opts.adminReload ? opts.adminReload(() => app.reload()) : app.reload()),
      // read on GET /admin/config, after start: where this process listens (flags win over the spec), and what of
      // this spec waits for a restart
      running: () => ({ host, port: server.port, adminPort: server.adminPort ?? null, restartNeeded: restartOnlyChanges(first.spec, spec) }),
    })
    protections.set(g, protection)
    stateUsed.set(g, tracked.used)
    return g
  }

  let spec = first.spec
  let file = first.file
  let gateway: CompiledGateway
  try {
    gateway = compile(spec, first.version)
  } catch (e) {
    await shared.close()
    throw e
  }
  const host = opts.host ?? spec.server.host
  const server = await startServer({
    host,
    port: opts.port ?? spec.server.port,
    ...(spec.admin.port === undefined ? {} : { adminPort: opts.port === 0 ? 0 : spec.admin.port }),
    gateway,
    onError,
    ...(opts.sharedPort ? { exclusivePort: false } : {}),
  }).catch(async (e: unknown) => {
    await retire(gateway)
    await shared.close()
    throw e
  })
  ready = true
  const urlHost = host.includes(':') ? `[${host}]` : host
  let reloading: Promise<ReloadOutcome> = Promise.resolve({ ok: true, version: first.version })
  let shuttingDown: Promise<void> | undefined

  const reloadOnce = async (): Promise<ReloadOutcome> => {
    const r = await load(file)
    if (!r.ok) {
      log.error('reload failed, keeping the running spec', { event: 'reload', result: 'error', problems: r.problems })
      observe.reloaded({ ok: false, message: r.problems[0]?.message ?? 'invalid spec' })
      return { ok: false, file: r.file, problems: r.problems }
    }
    let next: CompiledGateway
    try {
      next = compile(r.spec, r.version)
    } catch (e) {
      const problem: SpecProblem = { file: r.file ?? '<default>', line: 1, col: 1, rule: 'compile', severity: 'error', message: e instanceof Error ? e.message : String(e) }
      log.error('reload failed, keeping the running spec', { event: 'reload', result: 'error', problems: [problem] })
      observe.reloaded({ ok: false, message: problem.message })
      return { ok: false, file: r.file, problems: [problem] }
    }
    const waiting = restartOnlyChanges(first.spec, r.spec)
    if (waiting.length > 0)
      log.warn(`${waiting.join(', ')} are read at start and need a restart; the rest of the new spec is live`, { event: 'reload', restartNeeded: waiting })
    const prev = gateway
    gateway = next
    spec = r.spec
    server.swap(next)
    shared.protection.registry.sweep(stateUsed.get(next) ?? [])
    void retire(prev)
    observe.reloaded({ ok: true, spec: r.spec, version: r.version })
    log.info('reload ok', { event: 'reload', result: 'ok', version: r.version })
    return { ok: true, version: r.version, file: r.file, warnings: r.warnings }
  }

  observe.snapshot?.setListen(`http://${urlHost}:${server.port}`)
  const watcher = opts.watch && file !== undefined ? await startSpecWatch(file, spec, () => app.reload(), log) : undefined

  const app: App = {
    url: `http://${urlHost}:${server.port}`,
    port: server.port,
    adminPort: server.adminPort,
    adminUrl: server.adminPort === undefined ? undefined : `http://${urlHost}:${server.adminPort}`,
    get file() {
      return file
    },
    get version() {
      return gateway.version
    },
    workers: 1,
    get stateSize() {
      return shared.protection.registry.size
    },
    get gateway() {
      return gateway
    },
    server,
    observe,
    reload() {
      // One reload at a time: a burst of triggers queues behind the running one instead of racing it.
      reloading = reloading.then(reloadOnce, reloadOnce)
      void reloading.then((r) => {
        if (r.ok) watcher?.setSpec(spec)
      })
      return reloading
    },
    shutdown() {
      return (shuttingDown ??= (async () => {
        ready = false
        await watcher?.close()
        // Pre-drain (QA F15): while requests are in flight keep accepting for a moment, so load balancers polling
        // /readyz on new connections see 503 and stop sending; an idle server stops listening at once.
        const grace = spec.server.shutdownGrace
        const started = Date.now()
        if (server.inflight > 0) {
          let timer: NodeJS.Timeout | undefined
          await Promise.race([server.whenIdle(gateway), new Promise<void>((r) => (timer = setTimeout(r, Math.min(grace, PRE_DRAIN_MS))))])
          clearTimeout(timer)
        }
        await server.drain(Math.max(0, grace - (Date.now() - started)))
        await retire(gateway)
        await shared.close()
      })())
    },
  }
  return app
}
