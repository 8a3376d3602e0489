/** `llmgw serve` (SPEC §2): start the app, print where it listens, reload on SIGHUP, drain on SIGINT/SIGTERM, exit 0. */
import { type App, SpecLoadError, type StartOptions, startApp } from '../app/start.js'
import { createJsonLog } from '../app/json-log.js'
import { exitWithParent } from '../bench/parent-link.js'
import { EXIT } from './exit-codes.js'
import { holdStartSignals, releaseStartSignals } from './start-signals.js'

export interface ServeOptions {
  config?: string
  host?: string
  port?: number
  workers?: number
  watch: boolean
  dashboard?: boolean
}

/**
 * The dashboard needs a TTY with a size: a pty that reports no rows/columns (script, some CI runners) would get one
 * character per line from ink (QA F24), so it gets the JSON log lines instead.
 */
export function shouldShowDashboard(flag: boolean | undefined, out: { isTTY?: boolean; columns?: number; rows?: number }): boolean {
  return (flag ?? true) && out.isTTY === true && (out.columns ?? 0) > 0 && (out.rows ?? 0) > 0
}

/**
 * What serve asks of startApp. The access log is not switched off for the dashboard here (it was, so a file log was
 * never created with --dashboard): app/observe.ts keeps only a stdout/terminal destination off the dashboard's screen.
 */
export function serveStartOptions(o: ServeOptions, dashboard: boolean, log: StartOptions['log']): StartOptions {
  return {
    ...(o.config === undefined ? {} : { file: o.config }),
    ...(o.host === undefined ? {} : { host: o.host }),
    ...(o.port === undefined ? {} : { port: o.port }),
    ...(o.workers === undefined ? {} : { workers: o.workers }),
    watch: o.watch,
    dashboard,
    log,
  }
}

export async function runServe(o: ServeOptions): Promise<number> {
  // The live dashboard owns a TTY's screen: then app events show in it and JSON lines stay off stdout.
  const dashboard = shouldShowDashboard(o.dashboard, process.stdout)
  const log = dashboard ? createJsonLog(() => {}) : createJsonLog()
  holdStartSignals()
  let app: App
  try {
    app = await startApp(serveStartOptions(o, dashboard, log))
  } catch (e) {
    releaseStartSignals()
    if (e instanceof SpecLoadError) {
      for (const p of e.problems) process.stderr.write(`${p.file}:${p.line}:${p.col}  ${p.severity}  ${p.message}  ${p.rule}\n`)
      process.stderr.write(`llmgw serve: the spec is invalid (${e.problems.length} problem(s)); not starting\n`)
      return EXIT.failure
    }
    // Messages from lower rooms may carry their own "llmgw:" prefix; print one (QA F20).
    process.stderr.write(`llmgw serve: ${(e instanceof Error ? e.message : String(e)).replace(/^llmgw:\s*/, '')}\n`)
    return EXIT.failure
  }
  if (app.file === undefined) process.stderr.write('llmgw: no spec found; serving the embedded default (mock provider, model mock-1)\n')
  log.listening(app.url, { admin: app.adminUrl ?? null, spec: app.file ?? '<default>', version: app.version })

  const onHup = (): void => void app.reload()
  process.on('SIGHUP', onHup)
  let ui: { unmount(): void } | undefined
  await new Promise<void>((resolve) => {
    let stopping = false
    const stop = (signal: string) => (): void => {
      if (stopping) return
      stopping = true
      log.info('shutting down', { event: 'shutdown', signal, inflight: app.server?.inflight })
      void app.shutdown().then(resolve, resolve)
    }
    process.once('SIGINT', stop('SIGINT'))
    process.once('SIGTERM', stop('SIGTERM'))
    const held = releaseStartSignals()
    if (held.stop !== undefined) stop(held.stop)()
    else if (held.reload) onHup()
    // Started by `llmgw bench`/`profile`: drain and exit when that parent is gone, even after a SIGKILL.
    exitWithParent(stop('parent-gone'))
    const snapshot = app.observe?.snapshot
    if (dashboard && snapshot)
      void import('../ui/dashboard.js').then(
        (m) => (ui = m.renderDashboard({ read: () => snapshot.read(), onQuit: stop('q') })),
        (e: unknown) => process.stderr.write(`llmgw: the dashboard failed to start (${String(e)}); serving on\n`),
      )
  })
  ui?.unmount()
  process.off('SIGHUP', onHup)
  log.info('stopped', { event: 'shutdown' })
  // Safety net only: every handle is closed by now; should a library keep one open, still exit with our code.
  setTimeout(() => process.exit(process.exitCode ?? EXIT.ok), 300).unref()
  return EXIT.ok
}
