/** The app room's shared types (issue 14): start.ts, app-state.ts, watch.ts, workers-app.ts and worker-entry.ts import them from here, not from each other. */
import type { ReloadOutcome } from '../compile/admin.js'
import type { CompiledGateway, RuntimeDeps } from '../compile/gateway.js'
import type { MetricsJSON } from '../observe/metrics.js'
import type { ServerHandle } from '../server/server.js'
import type { Store } from '../state/types.js'
import type { SharedStateHandle } from '../state/shared-memory.js'
import type { AppObservability } from './observe.js'

export type { ReloadOutcome }

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
  /** Extra runtime hooks (observer, metrics, test fakes...); reload, readiness and the state that outlives a Plan are the app's own. */
  compileDeps?: Omit<RuntimeDeps, 'reload' | 'isReady' | 'providerPool' | 'registry' | 'store' | 'onRejected' | 'specView'>
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
  // This thread found the new spec invalid: the workers keep theirs; worker 0 counts the failed reload.
  | { llmgw: 'reload-failed'; message: string }
  // /metrics on one worker: it asks this thread to gather, every worker sends its metricsJSON(), the merged text goes back.
  | { llmgw: 'metrics-gather'; from: number; id: number }
  | { llmgw: 'metrics-collect'; from: number; id: number }
  | { llmgw: 'metrics-json'; from: number; id: number; json: MetricsJSON }
  | { llmgw: 'metrics-text'; to: number; id: number; text: string }
  // A worker's log line (the state store's outage lines): this thread writes it with the worker's index.
  | { llmgw: 'log'; from: number; level: 'info' | 'warn' | 'error'; msg: string; fields: Record<string, unknown> }
