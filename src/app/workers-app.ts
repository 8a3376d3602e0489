/**
 * `serve --workers N` (SPEC §3 server.workers): N worker threads, each loading and compiling the spec itself and serving
 * it on one shared port (SO_REUSEPORT). This thread only watches, relays reloads and drains. Limits that must be
 * global across workers are the state room's (SharedArrayBuffer stores passed in workerData, or this thread as owner).
 */
import type { LoadResult } from '../spec/load.js'
import { loadSpec } from '../spec/load.js'
import { startWorkers } from '../server/workers.js'
import { createSharedState, type SharedStateHandle } from '../state/shared-memory.js'
import type { App, ReloadOutcome, StartOptions } from './start.js'
import { startSpecWatch } from './watch.js'

/** What each worker receives (structured clone): where the spec is and the CLI overrides. */
export interface WorkerAppData {
  file: string | undefined
  cwd: string
  host: string | undefined
  env: Record<string, string | undefined> | undefined
  /** Limit and budget counters in SharedArrayBuffers: a limit of N means N across all workers. */
  sharedState: SharedStateHandle
}

/** Pool messages: reload requests from a worker's /admin/reload, reload orders and their outcomes. */
export type WorkerAppMessage =
  | { llmgw: 'reload-all'; from: number }
  | { llmgw: 'reload'; from: number }
  | { llmgw: 'reloaded'; outcome: ReloadOutcome }

export async function startWorkerApp(opts: StartOptions, first: LoadResult & { ok: true }, count: number): Promise<App> {
  const log = opts.log ?? { info() {}, warn() {}, error() {} }
  const cwd = opts.cwd ?? process.cwd()
  const data: WorkerAppData = { file: first.file, cwd, host: opts.host, env: opts.env, sharedState: createSharedState() }
  const host = opts.host ?? first.spec.server.host
  const pool = await startWorkers({
    count,
    entry: new URL('./worker-entry.js', import.meta.url),
    workerData: data,
    port: opts.port ?? first.spec.server.port,
    host,
    onCrash: (index, err, willRestart) => log.error('worker crashed', { worker: index, willRestart, err: String(err) }),
  })
  let version = first.version
  pool.onMessage((msg) => {
    const m = msg as WorkerAppMessage
    if (m.llmgw === 'reload-all') pool.post({ llmgw: 'reload', from: m.from } satisfies WorkerAppMessage)
  })
  // This thread validates the new spec too, so the caller gets the problems; each worker then loads it for itself.
  const reload = async (): Promise<ReloadOutcome> => {
    const r = await loadSpec({ ...(first.file === undefined ? {} : { file: first.file }), cwd, ...(opts.env ? { env: opts.env } : {}) })
    if (!r.ok) {
      log.error('reload failed, keeping the running spec', { event: 'reload', result: 'error', problems: r.problems })
      return { ok: false, file: r.file, problems: r.problems }
    }
    pool.post({ llmgw: 'reload', from: -1 } satisfies WorkerAppMessage)
    version = r.version
    log.info('reload sent to workers', { event: 'reload', result: 'ok', version, workers: count })
    return { ok: true, version, file: r.file, warnings: r.warnings }
  }
  const watcher = opts.watch && first.file !== undefined ? await startSpecWatch(first.file, first.spec, reload, log) : undefined
  const urlHost = host.includes(':') ? `[${host}]` : host
  let closing: Promise<void> | undefined
  return {
    url: `http://${urlHost}:${pool.port}`,
    port: pool.port,
    adminPort: first.spec.admin.port,
    adminUrl: first.spec.admin.port === undefined ? undefined : `http://${urlHost}:${first.spec.admin.port}`,
    file: first.file,
    get version() {
      return version
    },
    workers: count,
    gateway: undefined,
    server: undefined,
    observe: undefined,
    reload,
    shutdown() {
      return (closing ??= (async () => {
        await watcher?.close()
        await pool.close(first.spec.server.shutdownGrace)
      })())
    },
  }
}
