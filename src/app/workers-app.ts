/**
 * `serve --workers N` (SPEC §3 server.workers): N worker threads, each loading and compiling the spec itself and serving
 * it on one shared port (SO_REUSEPORT). This thread only watches, relays reloads and drains. Limits that must be
 * global across workers are the state room's (SharedArrayBuffer stores passed in workerData, or this thread as owner).
 */
import type { LoadResult } from '../spec/load.js'
import { loadSpec } from '../spec/load.js'
import { startWorkers } from '../server/workers.js'
import { createSharedState } from '../state/shared-memory.js'
import { capacityFor } from './state-store.js'
import type { App, ReloadOutcome, StartOptions, WorkerAppData, WorkerAppMessage } from './types.js'
import type { MetricsJSON } from '../observe/metrics.js'
import { startSpecWatch } from './watch.js'

/** How long a scrape waits for every worker's counters before it answers with those that came. */
const GATHER_TIMEOUT_MS = 1000

export async function startWorkerApp(opts: StartOptions, first: LoadResult & { ok: true }, count: number): Promise<App> {
  const log = opts.log ?? { info() {}, warn() {}, error() {} }
  const cwd = opts.cwd ?? process.cwd()
  const data: WorkerAppData = { file: first.file, cwd, host: opts.host, env: opts.env, sharedState: createSharedState(capacityFor(first.spec)) }
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
  const gathering = new Map<string, { jsons: MetricsJSON[]; timer: NodeJS.Timeout; done: () => void }>()
  const gather = (from: number, id: number): void => {
    const key = `${from}:${id}`
    const jsons: MetricsJSON[] = []
    const done = (): void => {
      const g = gathering.get(key)
      if (g === undefined) return
      gathering.delete(key)
      clearTimeout(g.timer)
      void import('../observe/metrics.js')
        .then((m) => m.mergeMetricsText(jsons))
        .catch((e: unknown) => `# llmgw: merging worker metrics failed: ${String(e)}\n`)
        .then((text) => pool.post({ llmgw: 'metrics-text', to: from, id, text } satisfies WorkerAppMessage))
    }
    gathering.set(key, { jsons, timer: setTimeout(done, GATHER_TIMEOUT_MS), done })
    pool.post({ llmgw: 'metrics-collect', from, id } satisfies WorkerAppMessage)
  }
  pool.onMessage((msg) => {
    const m = msg as WorkerAppMessage
    if (m.llmgw === 'reload-all') pool.post({ llmgw: 'reload', from: m.from } satisfies WorkerAppMessage)
    else if (m.llmgw === 'metrics-gather') gather(m.from, m.id)
    else if (m.llmgw === 'log') log[m.level](m.msg, { ...m.fields, worker: m.from })
    else if (m.llmgw === 'metrics-json') {
      const g = gathering.get(`${m.from}:${m.id}`)
      if (g === undefined) return
      g.jsons.push(m.json)
      if (g.jsons.length >= count) g.done()
    }
  })
  // This thread validates the new spec too, so the caller gets the problems; each worker then loads it for itself.
  const reload = async (): Promise<ReloadOutcome> => {
    const r = await loadSpec({ ...(first.file === undefined ? {} : { file: first.file }), cwd, ...(opts.env ? { env: opts.env } : {}) })
    if (!r.ok) {
      log.error('reload failed, keeping the running spec', { event: 'reload', result: 'error', problems: r.problems })
      pool.post({ llmgw: 'reload-failed', message: r.problems[0]?.message ?? 'invalid spec' } satisfies WorkerAppMessage)
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
        for (const g of gathering.values()) clearTimeout(g.timer)
        await watcher?.close()
        await pool.close(first.spec.server.shutdownGrace)
      })())
    },
  }
}
