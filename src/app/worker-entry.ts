/** One `serve --workers N` thread: loads and compiles the spec itself, serves on the shared port, follows reload orders. */
import { loadSpec } from '../spec/load.js'
import { onCloseRequest, onPoolMessage, postToPool, readWorkerInit, reportListening } from '../server/workers.js'
import { attachSharedStore } from '../state/shared-memory.js'
import { startLocalApp } from './start.js'
import type { WorkerAppData, WorkerAppMessage } from './types.js'

const init = readWorkerInit()
const data = init.data as WorkerAppData
const first = await loadSpec({ ...(data.file === undefined ? {} : { file: data.file }), cwd: data.cwd, ...(data.env ? { env: data.env } : {}) })
if (!first.ok) throw new Error(`worker ${init.index}: the spec became invalid before it started (${first.problems.length} problem(s))`)
// /metrics answers with the sum over all workers: ask the pool to gather every worker's counters (SPEC §5).
let nextId = 0
const waiting = new Map<number, (text: string) => void>()
const gatherMetrics = (): Promise<string> =>
  new Promise((resolve) => {
    const id = nextId++
    waiting.set(id, resolve)
    // Should the pool not answer (it is shutting down), this worker's own counters are better than a hung scrape.
    setTimeout(() => {
      if (!waiting.delete(id)) return
      void (app.observe?.metrics?.text() ?? Promise.resolve('')).then(resolve, () => resolve(''))
    }, 3000).unref()
    postToPool({ llmgw: 'metrics-gather', from: init.index, id } satisfies WorkerAppMessage)
  })
function toMainLog(level: 'info' | 'warn' | 'error') {
  return (msg: string, fields: Readonly<Record<string, unknown>> = {}): void => {
    if (fields.event === 'state-store') postToPool({ llmgw: 'log', from: init.index, level, msg, fields: { ...fields } } satisfies WorkerAppMessage)
  }
}
const app = await startLocalApp(
  {
    ...(data.file === undefined ? {} : { file: data.file }),
    ...(data.host === undefined ? {} : { host: data.host }),
    ...(init.port === undefined ? {} : { port: init.port }),
    cwd: data.cwd,
    ...(data.env ? { env: data.env } : {}),
    watch: false,
    dashboard: false,
    sharedPort: true,
    // A worker's state-store lines (each worker has its own Redis connection) go to the main thread's log; its
    // reload lines stay here (the main thread logs reloads once for all).
    log: { info: toMainLog('info'), warn: toMainLog('warn'), error: toMainLog('error') },
    // Every worker reloads; one counting keeps the merged llmgw_config_reloads_total at one per reload.
    countReloads: init.index === 0,
    // Redis is shared by every worker (and replica) already; the SharedArrayBuffer store is for the memory store.
    ...(first.spec.state.store === 'redis' ? {} : { store: attachSharedStore(data.sharedState) }),
    ...(first.spec.observability.metrics ? { compileDeps: { metricsText: gatherMetrics } } : {}),
    // /admin/reload on any worker reloads them all: reload here, and ask the pool to tell the others.
    adminReload: (reloadHere) => {
      postToPool({ llmgw: 'reload-all', from: init.index } satisfies WorkerAppMessage)
      return reloadHere()
    },
  },
  first,
)
onPoolMessage((msg) => {
  const m = msg as WorkerAppMessage
  if (m.llmgw === 'reload' && m.from !== init.index) void app.reload()
  else if (m.llmgw === 'reload-failed') app.observe?.reloaded({ ok: false, message: m.message })
  else if (m.llmgw === 'metrics-collect') {
    const metrics = app.observe?.metrics
    void (metrics ? metrics.metricsJSON() : Promise.resolve([])).then((json) =>
      postToPool({ llmgw: 'metrics-json', from: m.from, id: m.id, json } satisfies WorkerAppMessage),
    )
  } else if (m.llmgw === 'metrics-text' && m.to === init.index) {
    waiting.get(m.id)?.(m.text)
    waiting.delete(m.id)
  }
})
onCloseRequest(() => app.shutdown())
reportListening(app.port)
