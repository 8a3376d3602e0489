/** One `serve --workers N` thread: loads and compiles the spec itself, serves on the shared port, follows reload orders. */
import { loadSpec } from '../spec/load.js'
import { onCloseRequest, onPoolMessage, postToPool, readWorkerInit, reportListening } from '../server/workers.js'
import { attachSharedStore } from '../state/shared-memory.js'
import { startLocalApp } from './start.js'
import type { WorkerAppData, WorkerAppMessage } from './workers-app.js'

const init = readWorkerInit()
const data = init.data as WorkerAppData
const first = await loadSpec({ ...(data.file === undefined ? {} : { file: data.file }), cwd: data.cwd, ...(data.env ? { env: data.env } : {}) })
if (!first.ok) throw new Error(`worker ${init.index}: the spec became invalid before it started (${first.problems.length} problem(s))`)
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
    // Redis is shared by every worker (and replica) already; the SharedArrayBuffer store is for the memory store.
    ...(first.spec.state.store === 'redis' ? {} : { store: attachSharedStore(data.sharedState) }),
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
})
onCloseRequest(() => app.shutdown())
reportListening(app.port)
