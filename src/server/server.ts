/** startServer: the uWS apps (main + optional admin port), swap, drain and close (SPEC §2 serve, §4, §6). */
import { isMainThread } from 'node:worker_threads'
import type { TemplatedApp, us_listen_socket } from 'uWebSockets.js'
import type { Exchange, Gateway } from '../core/types.js'
import { createDispatch, type DispatchHost, type Generation } from './routes.js'
import { testSlowdownFromEnv, withTestSlowdown } from './test-slowdown.js'
import { loadUws, type Uws } from '../core/uws.js'
import { registerWebSocket } from './ws.js'
import { GatewayError } from '../core/errors.js'
import { JSON_HEADERS } from './respond.js'
import type { UwsSink } from './sink.js'
import { LiveList } from './live-list.js'

export interface ServerOptions {
  host: string
  port: number
  adminPort?: number
  gateway: Gateway
  onError?: (err: unknown, ex: Exchange | undefined) => void
  /**
   * Refuse a port another process already serves. Default: true on the main thread, false in worker threads, which
   * share one port on purpose (SO_REUSEPORT, which uSockets sets for every non-zero port unless told exclusive).
   */
  exclusivePort?: boolean
}

export interface ServerHandle {
  readonly port: number
  readonly adminPort: number | undefined
  /** Requests whose response is not finished or whose handler has not settled (WebSocket requests included). */
  readonly inflight: number
  /** True from drain() on: responses then close their connection, so keep-alive clients move elsewhere. */
  readonly isDraining: boolean
  /** New requests go to `next`; in-flight ones finish on the Gateway they started with. Retiring the old one is the caller's. */
  swap(next: Gateway): void
  /** Resolves when no request that started on `gateway` is in flight any more (at once if none): then retire() it. */
  whenIdle(gateway: Gateway): Promise<void>
  stopListening(): void
  /** Stop listening, wait for in-flight requests (streams included) up to graceMs, then close what is left. */
  drain(graceMs: number): Promise<void>
  /** Close every connection now (in-flight clients see their signal fire). */
  close(): void
}

/**
 * Close functions of the servers this thread runs. A worker thread must close its uWS apps before it ends:
 * exiting (or being terminated) with a uWS socket open makes Node abort the whole process
 * ("uv_loop_close() while having open handles", seen with uWS 20.30 on Node 20). See workers.ts.
 */
const openServers = new Set<() => void>()

/** Close every server this thread started (crash path of a worker thread). */
export function closeAllServers(): void {
  for (const close of [...openServers]) close()
}

// uWS 20.30 has App.close() (closes the listen socket and every connection) but its .d.ts does not declare it.
type ClosableApp = TemplatedApp & { close(): void }

class GatewayGeneration implements Generation {
  readonly gateway: Gateway
  inflight = 0
  waiters: Array<() => void> = []
  constructor(gateway: Gateway) {
    this.gateway = gateway
  }
}

function wake(waiters: Array<() => void>): void {
  for (const resolve of waiters.splice(0)) resolve()
}

class ServerState implements DispatchHost {
  isDraining = false
  inflight = 0
  readonly live = new LiveList<UwsSink>()
  #current: GatewayGeneration
  // Weak: a retired Gateway must not be kept alive by the server once its last request is done.
  readonly #generations = new WeakMap<Gateway, GatewayGeneration>()
  readonly #onError: ServerOptions['onError']
  readonly #idleWaiters: Array<() => void> = []

  constructor(gateway: Gateway, onError: ServerOptions['onError']) {
    this.#current = this.#generation(gateway)
    this.#onError = onError
  }

  get gateway(): Gateway {
    return this.#current.gateway
  }

  swap(next: Gateway): void {
    this.#current = this.#generation(next)
  }

  enter(): Generation {
    this.inflight++
    const gen = this.#current
    gen.inflight++
    return gen
  }

  leave(gen: Generation): void {
    const g = gen as GatewayGeneration
    if (--g.inflight === 0 && g.waiters.length > 0) wake(g.waiters)
    if (--this.inflight === 0 && this.#idleWaiters.length > 0) wake(this.#idleWaiters)
  }

  whenGatewayIdle(gateway: Gateway): Promise<void> {
    const g = this.#generations.get(gateway)
    if (g === undefined || g.inflight === 0) return Promise.resolve()
    return new Promise((resolve) => g.waiters.push(resolve))
  }

  #generation(gateway: Gateway): GatewayGeneration {
    let g = this.#generations.get(gateway)
    if (g === undefined) this.#generations.set(gateway, (g = new GatewayGeneration(gateway)))
    return g
  }

  reportError(err: unknown, ex: Exchange | undefined): void {
    try {
      this.#onError?.(err, ex)
    } catch {
      // A failing error reporter must not turn one bad request into a crashed server.
    }
  }

  whenIdle(): Promise<void> {
    return this.inflight === 0 ? Promise.resolve() : new Promise((resolve) => this.#idleWaiters.push(resolve))
  }
}

function listen(uws: Uws, app: TemplatedApp, host: string, port: number, exclusive: boolean): Promise<us_listen_socket> {
  return new Promise((resolve, reject) => {
    const done = (ls: us_listen_socket | false): void => {
      if (ls) resolve(ls)
      else reject(new Error(`llmgw: cannot listen on ${host}:${port} (port in use, not permitted, or ${host} is not an address of this machine)`))
    }
    // The 4-argument form (host, port, options, cb) exists in uWS 20.30; its .d.ts only lists (port, options, cb).
    const listenWith = app.listen as unknown as (h: string, p: number, o: number, cb: typeof done) => void
    const exclusiveFlag = (uws as unknown as { LIBUS_LISTEN_EXCLUSIVE_PORT: number }).LIBUS_LISTEN_EXCLUSIVE_PORT
    listenWith.call(app, host, port, exclusive ? exclusiveFlag : 0, done)
  })
}

/** Starts the main app (and the admin app when adminPort is given); resolves once both listen. */
export async function startServer(opts: ServerOptions): Promise<ServerHandle> {
  const uws = loadUws()
  const state = new ServerState(opts.gateway, opts.onError)
  const exclusive = opts.exclusivePort ?? isMainThread
  const apps: ClosableApp[] = []
  const sockets: us_listen_socket[] = []

  const main = uws.App() as ClosableApp
  apps.push(main)
  // a test hook, off unless LLMGW_TEST_SLOWDOWN is set (test-slowdown.ts): then it wraps the main port's handler
  const dispatchMain = withTestSlowdown(createDispatch(state, (g) => g.main), testSlowdownFromEnv())
  registerWebSocket(main, state, dispatchMain)
  main.any('/*', dispatchMain)
  let port: number
  let adminPort: number | undefined
  try {
    const ls = await listen(uws, main, opts.host, opts.port, exclusive)
    sockets.push(ls)
    port = uws.us_socket_local_port(ls as never)
    if (opts.adminPort !== undefined) {
      const admin = uws.App() as ClosableApp
      apps.push(admin)
      admin.any('/*', createDispatch(state, (g) => g.admin))
      const als = await listen(uws, admin, opts.host, opts.adminPort, exclusive)
      sockets.push(als)
      adminPort = uws.us_socket_local_port(als as never)
    }
  } catch (e) {
    for (const app of apps) app.close()
    throw e
  }

  let isListening = true
  let isClosed = false
  const stopListening = (): void => {
    if (!isListening) return
    isListening = false
    for (const ls of sockets) uws.us_listen_socket_close(ls)
  }
  const close = (): void => {
    if (isClosed) return
    stopListening()
    isClosed = true
    openServers.delete(close)
    for (const app of apps) app.close()
  }
  openServers.add(close)

  return {
    port,
    adminPort,
    get inflight() {
      return state.inflight
    },
    get isDraining() {
      return state.isDraining
    },
    swap(next) {
      state.swap(next)
    },
    whenIdle(gateway) {
      return state.whenGatewayIdle(gateway)
    },
    stopListening,
    async drain(graceMs) {
      state.isDraining = true
      stopListening()
      let timer: NodeJS.Timeout | undefined
      const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))
      await Promise.race([state.whenIdle(), grace])
      clearTimeout(timer)
      // uWS's close() drops what a socket has not sent yet: give the last words a moment to leave
      if (cutInflight(state.live) > 0) await new Promise((resolve) => setTimeout(resolve, LAST_WORD_MS))
      close()
    },
    close,
  }
}

/** How long the last words of cut responses get to reach their clients before the connections close. */
const LAST_WORD_MS = 100
const SHUTDOWN = new GatewayError('upstream_unavailable', 'llmgw is shutting down: server.shutdownGrace ran out before this response was finished')

/**
 * The grace ran out with responses unfinished: each gets a last word before the connections close (SPEC §4: a
 * failure after streaming began ends with an error event, never a silent cut), in its route's dialect, and its
 * exchange is aborted so the upstream call stops and what was relayed is accounted.
 */
function cutInflight(live: LiveList<UwsSink>): number {
  const cut = live.toArray()
  for (const sink of cut) {
    const route = sink.route
    const event = route?.streamError ? route.streamError(SHUTDOWN) : `data: ${SHUTDOWN.body()}\n\n`
    sink.finishForShutdown(event, SHUTDOWN.status, JSON_HEADERS, route?.errorBody ? route.errorBody(SHUTDOWN) : SHUTDOWN.body())
    sink.exchange?.abort(SHUTDOWN)
  }
  return cut.length
}
