/** `serve --workers N`: N worker threads, each with its own uWS app on one shared port (SPEC §2 serve; issue 3 item 8). */
import { createServer } from 'node:net'
import { isMainThread, parentPort, Worker, workerData as rawWorkerData } from 'node:worker_threads'
import { closeAllServers } from './server.js'
import { WORKER_EXEC_ARGV } from '../core/worker-argv.js'

/*
 * How the port is shared: uSockets sets SO_REUSEPORT on a listen socket when the port is non-zero (checked with
 * strace on uWS 20.30) and the kernel spreads new connections over the sockets bound to it. A socket bound to port 0
 * gets no SO_REUSEPORT, so "the first worker picks a port and the rest reuse it" cannot work: for port 0 the pool
 * asks the OS for a free port first and hands that number to every worker.
 *
 * A worker thread that ends with a uWS socket open takes the whole process down (Node asserts in uv_loop_close and
 * aborts; measured here with terminate(), process.exit() and an uncaught exception alike). So a worker never just
 * dies: readWorkerInit() installs a guard that closes this thread's servers first, and the pool asks workers to
 * stop by message; terminate() is only the last resort for a worker that ignores both close and kill.
 *
 * State that must be global across workers (rate limits, budgets, breakers; a later issue) cannot live in one
 * worker's heap: it goes to one owner (this pool's thread, via post/onMessage) or into a SharedArrayBuffer passed in
 * workerData, so a limit of N means N for the whole process, not N per worker.
 */

/** What each worker gets in `workerData`. */
export interface WorkerInit {
  readonly index: number
  /** The port to listen on; undefined: use the port from your own configuration. */
  readonly port: number | undefined
  /** The pool's `workerData` option, as given. */
  readonly data: unknown
}

export interface WorkerPoolOptions {
  count: number
  /** The module each worker runs; it calls readWorkerInit(), starts its server, then reportListening(port). */
  entry: URL
  workerData: unknown
  /** The port to share. 0: a free port is chosen first. Omitted: worker 0 listens on its configured port and the rest get the one it reports. */
  port?: number
  /** Where to look for a free port when `port` is 0. */
  host?: string
  /** A worker died outside close(); it is restarted once per index. */
  onCrash?: (index: number, err: unknown, willRestart: boolean) => void
  /** How long a worker may take to report that it listens. Default 30 s. */
  startTimeoutMs?: number
}

export interface WorkerPool {
  readonly size: number
  /** The port every worker listens on (as reported by worker 0). */
  readonly port: number
  /** To every worker. */
  post(msg: unknown): void
  onMessage(fn: (msg: unknown, workerIndex: number) => void): void
  /** Ask each worker to drain for up to graceMs; 1 s later stragglers are told to close at once, 1 s after that terminated. */
  close(graceMs: number): Promise<void>
}

const TAG = '__llmgwPool'
type Control =
  | { [TAG]: 'listening'; port: number }
  | { [TAG]: 'crash'; message: string }
  | { [TAG]: 'close'; graceMs: number }
  | { [TAG]: 'kill' }
const isControl = (m: unknown): m is Control => typeof m === 'object' && m !== null && TAG in m

function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.once('error', reject)
    srv.listen(0, host, () => {
      const addr = srv.address()
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))))
    })
  })
}

export async function startWorkers(opts: WorkerPoolOptions): Promise<WorkerPool> {
  const { count, entry } = opts
  if (!Number.isInteger(count) || count < 1) throw new Error(`llmgw: --workers must be a positive integer, got ${count}`)
  const startTimeoutMs = opts.startTimeoutMs ?? 30_000
  const workers: Array<Worker | undefined> = new Array(count)
  const restarts = new Array<number>(count).fill(0)
  const listeners: Array<(msg: unknown, index: number) => void> = []
  let port = opts.port === 0 ? await freePort(opts.host ?? '0.0.0.0') : opts.port
  let isClosing = false

  /** Starts worker `index`; resolves with the port it reports, rejects if it dies or stalls first. */
  function spawn(index: number): Promise<number> {
    const init: WorkerInit = { index, port, data: opts.workerData }
    const w = new Worker(entry, { workerData: init, execArgv: [...WORKER_EXEC_ARGV] })
    workers[index] = w
    let lastError: unknown
    return new Promise((resolve, reject) => {
      let isListening = false
      const timer = setTimeout(() => {
        if (!isListening) reject(new Error(`llmgw: worker ${index} did not start listening within ${startTimeoutMs} ms`))
      }, startTimeoutMs)
      w.on('message', (msg: unknown) => {
        if (isControl(msg)) {
          if (msg[TAG] === 'listening') {
            isListening = true
            clearTimeout(timer)
            resolve(msg.port)
          } else if (msg[TAG] === 'crash') lastError = new Error(msg.message)
          return
        }
        for (const fn of listeners) fn(msg, index)
      })
      w.on('error', (err) => (lastError = err))
      w.on('exit', (code) => {
        clearTimeout(timer)
        if (workers[index] === w) workers[index] = undefined
        const err = lastError ?? new Error(`llmgw: worker ${index} exited with code ${code}`)
        if (!isListening) return reject(err)
        if (isClosing) return
        const willRestart = restarts[index]! < 1
        opts.onCrash?.(index, err, willRestart)
        if (willRestart) {
          restarts[index]!++
          spawn(index).catch((e: unknown) => opts.onCrash?.(index, e, false))
        }
      })
    })
  }

  try {
    port = await spawn(0)
    await Promise.all(Array.from({ length: count - 1 }, (_, i) => spawn(i + 1)))
  } catch (e) {
    isClosing = true
    await stopAll(workers, 0)
    throw e
  }

  const sharedPort = port
  return {
    size: count,
    port: sharedPort,
    post(msg) {
      for (const w of workers) w?.postMessage(msg)
    },
    onMessage(fn) {
      listeners.push(fn)
    },
    async close(graceMs) {
      isClosing = true
      await stopAll(workers, graceMs)
    },
  }
}

/** close (drain) -> kill (close now) -> terminate, each step only for workers still running. */
async function stopAll(workers: Array<Worker | undefined>, graceMs: number): Promise<void> {
  const alive = workers.filter((w): w is Worker => w !== undefined)
  const exited = new Set<Worker>()
  const exits = alive.map((w) => new Promise<void>((r) => w.once('exit', () => (exited.add(w), r()))))
  const step = async (msg: Control, waitMs: number): Promise<void> => {
    for (const w of alive) if (!exited.has(w)) w.postMessage(msg)
    let timer: NodeJS.Timeout | undefined
    await Promise.race([Promise.all(exits), new Promise<void>((r) => (timer = setTimeout(r, waitMs)))])
    clearTimeout(timer)
  }
  await step({ [TAG]: 'close', graceMs }, graceMs + 1000)
  await step({ [TAG]: 'kill' }, 1000)
  await Promise.all(alive.filter((w) => !exited.has(w)).map((w) => w.terminate()))
}

// ---- worker side ----

/** Closes this thread's servers, then ends the thread (never the other way round: see the note at the top). */
function exitWorker(code: number): void {
  closeAllServers()
  setImmediate(() => process.exit(code))
}

let isGuarded = false

/**
 * Inside a pool worker: its index, the port to use and the pool's data. Throws anywhere else.
 * Also installs the crash guard: an uncaught error is reported to the pool, the servers are closed, the thread exits 1.
 */
export function readWorkerInit(): WorkerInit {
  const init = rawWorkerData as WorkerInit | undefined
  if (isMainThread || parentPort === null || typeof init?.index !== 'number') {
    throw new Error('llmgw: readWorkerInit() called outside a worker started by startWorkers()')
  }
  if (!isGuarded) {
    isGuarded = true
    const die = (err: unknown): void => {
      const message = err instanceof Error ? (err.stack ?? err.message) : String(err)
      parentPort?.postMessage({ [TAG]: 'crash', message } satisfies Control)
      exitWorker(1)
    }
    process.on('uncaughtException', die)
    process.on('unhandledRejection', die)
    parentPort.on('message', (msg: unknown) => {
      if (isControl(msg) && msg[TAG] === 'kill') exitWorker(0)
    })
  }
  return init
}

/** Tell the pool this worker listens (startWorkers resolves once every worker did). */
export function reportListening(port: number): void {
  parentPort?.postMessage({ [TAG]: 'listening', port } satisfies Control)
}

/** Messages from pool.post(), without the pool's own control messages. */
export function onPoolMessage(fn: (msg: unknown) => void): void {
  parentPort?.on('message', (msg: unknown) => {
    if (!isControl(msg)) fn(msg)
  })
}

/** To the pool's onMessage listeners. */
export function postToPool(msg: unknown): void {
  parentPort?.postMessage(msg)
}

/** Runs `drain` when the pool closes, then ends this worker thread (the message port would keep it alive). */
export function onCloseRequest(drain: (graceMs: number) => void | Promise<void>): void {
  parentPort?.on('message', (msg: unknown) => {
    if (!isControl(msg) || msg[TAG] !== 'close') return
    const { graceMs } = msg
    Promise.resolve()
      .then(() => drain(graceMs))
      .finally(() => exitWorker(0))
  })
}
