/** Child processes the bench and profiler start (mock, gateway, baseline proxies): spawn, find their URL, never orphan them (SPEC §2 `bench`). */
import { spawn, type ChildProcess } from 'node:child_process'
import { dirname, join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { EXIT_WITH_PARENT_ENV } from './parent-link.js'

export interface Child {
  readonly name: string
  readonly pid: number
  readonly url: string
  /** Resolves with the exit code (or signal name) when the process ends, for any reason. */
  readonly exited: Promise<number | string>
  /** Last lines of stdout/stderr, for messages when it fails. */
  tail(): string
  /** SIGTERM (or `signal`), then SIGKILL after graceMs. Resolves when the process is gone. */
  stop(graceMs?: number, signal?: NodeJS.Signals): Promise<void>
}

export interface SpawnOptions {
  readonly name: string
  readonly args: string[]
  readonly env?: NodeJS.ProcessEnv
  /** node flags before the script (e.g. --cpu-prof) */
  readonly nodeArgs?: string[]
  readonly startTimeoutMs?: number
  /** a script to run instead of the llmgw CLI (baseline proxies) */
  readonly script?: string
}

const live = new Set<ChildProcess>()
let hooked = false

/** `llmgw mock ...` / `llmgw serve ...` run from the same build as this file, so dev builds test themselves. */
export function cliEntry(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', 'cli', 'main.js')
}

// Runs the CLI's main() from cliEntry(); bin/llmgw.js does the same for dist/.
const CLI_BOOT = 'const [u, ...a] = process.argv.slice(1); import(u).then((m) => m.main(["node", "llmgw", ...a]))'

/** argv for `node` to run the llmgw CLI of this build with ARGS (tests spawn `llmgw bench` this way). */
export function cliArgv(args: string[]): string[] {
  return ['--input-type=module', '-e', CLI_BOOT, cliEntry(), ...args]
}

/** Matches the listening lines of `llmgw mock`, `llmgw serve` (JSON log) and the baseline proxies. */
export function parseListening(line: string): string | undefined {
  if (line.startsWith('{')) {
    try {
      const j = JSON.parse(line) as { msg?: unknown; url?: unknown }
      if (j.msg === 'listening' && typeof j.url === 'string') return j.url
    } catch { /* not JSON after all */ }
    return undefined
  }
  const m = /listening on (https?:\/\/[^\s]+)/.exec(line)
  return m?.[1]
}

export function spawnChild(o: SpawnOptions): Promise<Child> {
  hookExit()
  const argv = o.script ? [...(o.nodeArgs ?? []), o.script, ...o.args] : [...(o.nodeArgs ?? []), ...cliArgv(o.args)]
  // llmgw children get an IPC channel and exit when it closes: when this process dies, even by SIGKILL, which no
  // exit hook sees (parent-link.ts). Scripts (baseline proxies, the clinic wrapper) do not know the protocol.
  const env = o.script ? (o.env ?? process.env) : { ...(o.env ?? process.env), [EXIT_WITH_PARENT_ENV]: '1' }
  const proc = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe', o.script ? 'ignore' : 'ipc'], env })
  // the channel must never keep this process alive
  proc.channel?.unref()
  live.add(proc)
  const lines: string[] = []
  const keep = (l: string): void => { lines.push(l); if (lines.length > 20) lines.shift() }
  const exited = new Promise<number | string>((resolve) => {
    proc.on('exit', (code, sig) => { live.delete(proc); resolve(code ?? sig ?? 'unknown') })
    proc.on('error', (e) => { live.delete(proc); keep(String(e)); resolve('spawn-error') })
  })
  // Always drain both pipes: a child blocked on a full stdout pipe would look like a slow gateway.
  createInterface({ input: proc.stderr! }).on('line', keep)
  const out = createInterface({ input: proc.stdout! })
  const tail = (): string => lines.join('\n')
  const stop = async (graceMs = 3000, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> => {
    if (proc.exitCode !== null || proc.signalCode !== null) return
    proc.kill(signal)
    const t = setTimeout(() => proc.kill('SIGKILL'), graceMs)
    await exited
    clearTimeout(t)
  }
  return new Promise<Child>((resolve, reject) => {
    let done = false
    const timer = setTimeout(() => finish(new Error(`${o.name} did not print its listening line within ${o.startTimeoutMs ?? 15_000} ms`)), o.startTimeoutMs ?? 15_000)
    const finish = (err: Error | undefined, url?: string): void => {
      if (done) return
      done = true
      clearTimeout(timer)
      if (err) { void stop(500).then(() => reject(new Error(`${err.message}${tail() ? `\n${indent(tail())}` : ''}`))); return }
      resolve({ name: o.name, pid: proc.pid!, url: url!, exited, tail, stop })
    }
    out.on('line', (l) => {
      if (done) return // after start, stdout (access logs) is read and dropped; only the tail is kept
      keep(l)
      const url = parseListening(l)
      if (url) finish(undefined, url.replace('://localhost', '://127.0.0.1'))
    })
    out.on('line', (l) => { if (done) keep(l) })
    void exited.then((code) => finish(new Error(`${o.name} exited (${code}) before listening`)))
  })
}

/** Stop every child still running, in parallel. */
export async function stopAll(graceMs = 3000): Promise<void> {
  await Promise.all([...live].map((p) => new Promise<void>((resolve) => {
    if (p.exitCode !== null || p.signalCode !== null) return resolve()
    p.once('exit', () => resolve())
    p.kill('SIGTERM')
    setTimeout(() => p.kill('SIGKILL'), graceMs).unref()
  })))
}

export function liveChildPids(): number[] {
  return [...live].map((p) => p.pid!).filter(Boolean)
}

// Last resort: if this process exits with children still up (error, process.exit), kill them synchronously.
function hookExit(): void {
  if (hooked) return
  hooked = true
  process.on('exit', () => { for (const p of live) p.kill('SIGKILL') })
}

function indent(s: string): string {
  return s.split('\n').map((l) => `    ${l}`).join('\n')
}
