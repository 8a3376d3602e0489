/** Runs the llmgw CLI of this very build as a child process (same as `node bin/llmgw.js ...`), for serve/shutdown tests. */
import { type ChildProcess, spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import type { TestContext } from 'node:test'

const MAIN = new URL('../cli/main.js', import.meta.url).href
const RUNNER = "import(process.argv[1]).then((m) => m.main(['node', 'llmgw', ...process.argv.slice(2)]))"

export interface CliChild {
  readonly proc: ChildProcess
  /** stdout lines so far. */
  readonly lines: string[]
  stderr(): string
  /** The first stdout line that parses as JSON with a `url` (the "listening" line). */
  listening(timeoutMs?: number): Promise<{ url: string; spec?: string; version?: string; admin?: string | null }>
  /** Resolves with the exit code (or the signal name). */
  readonly exited: Promise<number | string>
}

export function spawnCli(args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv; t?: TestContext }): CliChild {
  const proc = spawn(process.execPath, ['--input-type=module', '-e', RUNNER, MAIN, ...args], {
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const lines: string[] = []
  let err = ''
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()))
  const waiters: Array<() => void> = []
  createInterface({ input: proc.stdout! }).on('line', (l) => {
    lines.push(l)
    for (const w of waiters.splice(0)) w()
  })
  const exited = new Promise<number | string>((resolve) => proc.on('exit', (code, signal) => resolve(code ?? signal ?? -1)))
  opts.t?.after(() => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL')
  })
  const listening = async (timeoutMs = 10_000): Promise<{ url: string }> => {
    const until = Date.now() + timeoutMs
    for (;;) {
      for (const l of lines) {
        try {
          const j = JSON.parse(l) as { url?: string }
          if (typeof j.url === 'string') return j as { url: string }
        } catch {
          // not a JSON line
        }
      }
      if (proc.exitCode !== null) throw new Error(`llmgw exited with ${proc.exitCode}: ${err}`)
      if (Date.now() > until) throw new Error(`no listening line within ${timeoutMs} ms; stderr: ${err}`)
      await new Promise<void>((r) => {
        waiters.push(r)
        setTimeout(r, 100)
      })
    }
  }
  return { proc, lines, stderr: () => err, listening, exited }
}
