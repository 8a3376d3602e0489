/** The composition root (SPEC §2 serve, §6 reload): load -> plan -> compile -> serve; reload: the same, then one swap; shutdown -> drain, close in reverse. */
import type { Exchange } from '../core/types.js'
import { type CompiledGateway, compileGateway } from '../compile/gateway.js'
import { planGateway } from '../compile/plan-gateway.js'
import { loadPlugins } from '../compile/plugin-load.js'
import { createProviderPool } from '../compile/provider-pool.js'
import { redactSpec } from '../compile/redact.js'
import { createAppState, restartOnlyChanges } from './app-state.js'
import { trackUse } from '../state/registry.js'
import { startServer } from '../server/server.js'
import { loadSpec, type LoadResult } from '../spec/load.js'
import type { SpecProblem } from '../spec/problems.js'
import type { Spec } from '../spec/schema.js'
import type { App, AppLog, ReloadOutcome, StartOptions } from './types.js'
import { startSpecWatch } from './watch.js'

/** Other rooms (cli, testing) start the app from here; the types live in app/types.ts. */
export type { App, AppLog, ReloadOutcome, StartOptions } from './types.js'

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
  // Outlives every compiled Plan, so counters, breakers and cache entries of unchanged entities carry over (SPEC §6).
  const shared = await createAppState(opts, first, log, () => gateway.providerGuards, () => gateway.keyPools)
  const observe = shared.observe
  const onError = (err: unknown, ex: Exchange | undefined): void =>
    log.error('internal error', { requestId: ex?.id, err: err instanceof Error ? { message: err.message, stack: err.stack } : String(err) })
  // What each compiled Plan asked the registry for: after its swap, the rest is dropped (SPEC §6 carry-over, bounded).
  const stateUsed = new WeakMap<CompiledGateway, ReadonlySet<string>>()
  /** Spec -> Plan -> Runtime, off the request path. Throws when the Plan cannot be compiled (a rule's wordsFile is gone, a plugin fails to import...). */
  const compile = async (spec: Spec, version: string): Promise<CompiledGateway> => {
    const plan = planGateway(spec, version)
    // plugin modules are imported here, before anything is acquired: a module that fails to import costs nothing
    const plugins = plan.rules.some((r) => r.type === 'plugin') ? { plugins: await loadPlugins(plan.rules) } : {}
    const tracked = trackUse(shared.protection.registry)
    const g = compileGateway(plan, {
      ...plugins,
      onError,
      ...(observe.observer ? { observer: observe.observer } : {}),
      ...(observe.metricsText ? { metricsText: observe.metricsText } : {}),
      ...opts.compileDeps,
      store: shared.protection.store,
      ...(shared.protection.onRejected ? { onRejected: shared.protection.onRejected } : {}),
      ...(shared.createCache ? { createCache: shared.createCache } : {}),
      providerPool: pool,
      registry: tracked.registry,
      onRollback: shared.onRollback,
      tracer: shared.tracer,
      isReady: () => ready && shared.storeReady(),
      notReady: () => (ready ? 'state store unavailable' : undefined),
      reload: () => (opts.adminReload ? opts.adminReload(() => app.reload()) : app.reload()),
      // GET /admin/config shows the loaded spec, redacted on its first request (not on the reload path)
      specView: () => redactSpec(spec),
      // read on GET /admin/config, after start: where this process listens (flags win over the spec), and what of
      // this spec waits for a restart
      running: () => ({ host, port: server.port, adminPort: server.adminPort ?? null, restartNeeded: restartOnlyChanges(first.spec, spec) }),
    })
    stateUsed.set(g, tracked.used)
    return g
  }

  let spec = first.spec
  let file = first.file
  let gateway: CompiledGateway
  try {
    gateway = await compile(spec, first.version)
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
    await gateway.retire()
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
      next = await compile(r.spec, r.version)
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
    void prev.retire()
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
        await gateway.retire()
        await shared.close()
      })())
    },
  }
  return app
}
