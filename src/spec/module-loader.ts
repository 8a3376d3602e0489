/** Evaluates a .js/.mjs/.cjs/.ts spec in a worker thread with a time limit; the export comes back as plain data. */
import { randomUUID } from 'node:crypto'
import { rm } from 'node:fs/promises'
import { extname } from 'node:path'
import { Worker } from 'node:worker_threads'
import { WORKER_EXEC_ARGV } from '../core/worker-argv.js'

// Why a worker: a spec module is code. Imported in-process, an endless loop hung lint/serve/diff for good, a busy
// loop in an edited live spec froze a serving gateway (reload must stay off the request path, SPEC §6), and a
// top-level await that never settled wedged reloads. A worker can be cut off; the main thread only awaits a message.
// Each load gets a fresh worker (and so a fresh module cache: edits to the spec and to files it imports are seen)
// and terminates it afterwards, whatever happened.

/** Default time limit for evaluating a spec module. */
export const MODULE_TIMEOUT_MS = 10_000
/** Overrides the time limit, in milliseconds (a slow CI machine; tests). */
export const MODULE_TIMEOUT_ENV = 'LLMGW_SPEC_LOAD_TIMEOUT_MS'
/** The worker's heap cap: a spec that allocates without end fails alone instead of taking the gateway down. */
const WORKER_HEAP_MB = 512

/**
 * The worker entry beside this file. Written as '../spec/…' so it also resolves from the lint bundle
 * (dist/cli/lint.bundle.cjs, where import.meta.url is the bundle's URL): both point at dist/spec/module-worker.js.
 */
const WORKER_URL = new URL('../spec/module-worker.js', import.meta.url)

/** What the loader hands the worker (workerData). */
export interface ModuleJob {
  file: string
  /** 'plugin': import a plugin module (rules[].type: plugin), run its setup with `options`, report its hooks. */
  kind?: 'spec' | 'plugin'
  options?: Record<string, unknown>
  /** For .ts: where the worker writes the transpiled module (beside the spec or plugin, so relative imports resolve). */
  compiledFile?: string
}

/** What the worker posts back. */
export type WorkerReply =
  | { kind: 'ok'; value: unknown }
  | { kind: 'error'; rule: string; message: string; code?: string; line?: number; col?: number }

export type ModuleOutcome =
  | { ok: true; value: unknown }
  | { ok: false; rule: string; message: string; code?: string; line?: number; col?: number }

export interface ModuleLoadOptions {
  /** Time limit in ms; default: MODULE_TIMEOUT_ENV from env, else MODULE_TIMEOUT_MS. */
  timeoutMs?: number
  /** process.env as the module sees it (also where MODULE_TIMEOUT_ENV is read). */
  env?: NodeJS.ProcessEnv
}

/** The time limit MODULE_TIMEOUT_ENV asks for (a positive integer of ms), else the default. */
export function moduleTimeoutMs(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[MODULE_TIMEOUT_ENV]?.trim()
  const n = raw === undefined || !/^\d+$/.test(raw) ? NaN : Number(raw)
  return Number.isSafeInteger(n) && n > 0 ? n : MODULE_TIMEOUT_MS
}

/** What a plugin probe reports: the hooks the plugin has, and its own name and header list. */
export interface PluginProbe {
  hooks: string[]
  name: string | undefined
  headers: string[]
}

/**
 * Imports a plugin module in a worker with the spec module time limit and runs its setup with `options` there:
 * a plugin that hangs, throws or exports no hook is found off the request path, before the main thread imports it.
 */
export async function probePluginModule(file: string, options: Record<string, unknown>, opts: ModuleLoadOptions = {}): Promise<ModuleOutcome> {
  const ts = extname(file).toLowerCase() === '.ts' ? { compiledFile: `${file}.${randomUUID()}.mjs` } : {}
  return runModuleJob({ file, kind: 'plugin', options, ...ts }, opts, 'plugin module')
}

/** Never throws: every failure (syntax, throw, timeout, exit, non-data export) is an outcome. */
export async function loadSpecModule(file: string, opts: ModuleLoadOptions = {}): Promise<ModuleOutcome> {
  return runModuleJob({ file, ...(extname(file).toLowerCase() === '.ts' ? { compiledFile: `${file}.${randomUUID()}.mjs` } : {}) }, opts, 'spec module')
}

async function runModuleJob(job: ModuleJob, opts: ModuleLoadOptions, what: string): Promise<ModuleOutcome> {
  const env = opts.env ?? process.env
  const timeoutMs = opts.timeoutMs ?? moduleTimeoutMs(env)
  let worker: Worker
  try {
    worker = new Worker(WORKER_URL, { workerData: job, env: plainEnv(env), execArgv: [...WORKER_EXEC_ARGV], resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB } })
  } catch (e) {
    return { ok: false, rule: 'module-error', message: `cannot start the ${what} worker: ${messageOf(e)}` }
  }
  const outcome = await new Promise<ModuleOutcome>((resolve) => {
    const timer = setTimeout(
      () => resolve({ ok: false, rule: 'module-timeout', message: `the ${what} did not finish loading within ${formatMs(timeoutMs)} (an endless loop or a promise that never settles?); ${MODULE_TIMEOUT_ENV} sets the limit in ms` }),
      timeoutMs,
    )
    const settle = (o: ModuleOutcome): void => {
      clearTimeout(timer)
      resolve(o) // the first one wins; later events (the exit after terminate) change nothing
    }
    worker.once('message', (r: WorkerReply) => settle(r.kind === 'ok' ? { ok: true, value: r.value } : { ok: false, ...withoutKind(r) }))
    worker.once('error', (e) => {
      const oom = (e as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY'
      settle({ ok: false, rule: 'module-error', message: oom ? `the ${what} ran out of memory while loading (limit ${WORKER_HEAP_MB} MB)` : `the ${what} failed to load: ${messageOf(e)}` })
    })
    worker.once('exit', (code) =>
      settle({
        ok: false,
        rule: code === 13 ? 'module-timeout' : 'module-error',
        // 13: Node's exit code for a top-level await that can never settle (nothing else was left to run).
        message:
          code === 13
            ? `the ${what} did not finish loading: its top-level await waits on a promise that never settles`
            : `the ${what} ended its thread before ${what === 'spec module' ? 'exporting a spec' : 'it was loaded'} (process.exit(${code})?)`,
      }),
    )
  })
  await worker.terminate()
  if (job.compiledFile !== undefined) await rm(job.compiledFile, { force: true }).catch(() => undefined)
  return outcome
}

function withoutKind(r: WorkerReply & { kind: 'error' }): Omit<WorkerReply & { kind: 'error' }, 'kind'> {
  const { kind: _kind, ...rest } = r
  return rest
}

/** Worker's env option takes strings only. */
function plainEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v
  return out
}

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`
}

function messageOf(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0] ?? ''
}
