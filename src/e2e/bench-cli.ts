/** Runs the llmgw CLI as a child for the bench/profile e2e tests and checks its children are gone afterwards (no orphans). */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { cliArgv } from '../bench/children.js'
import { childPids, isAlive } from '../bench/proc.js'

export interface CliRun {
  code: number | null
  stdout: string
  stderr: string
  /** every child pid seen under the CLI process while it ran (mock, gateway) */
  children: number[]
}

/** Runs `llmgw ARGS` as a child, watching /proc for its own children; `onStderr` may signal it. */
export function runCli(args: string[], opts: { timeoutMs?: number; cwd?: string; env?: NodeJS.ProcessEnv; onStderr?: (text: string, pid: number) => void } = {}): Promise<CliRun> {
  const p = spawn(process.execPath, cliArgv(args), { stdio: ['ignore', 'pipe', 'pipe'], ...(opts.cwd ? { cwd: opts.cwd } : {}), ...(opts.env ? { env: opts.env } : {}) })
  const seen = new Set<number>()
  let stdout = ''
  let stderr = ''
  p.stdout.on('data', (d: Buffer) => { stdout += d })
  p.stderr.on('data', (d: Buffer) => { stderr += d; opts.onStderr?.(stderr, p.pid!) })
  const poll = setInterval(() => { for (const c of childPids(p.pid!)) seen.add(c) }, 20)
  const kill = setTimeout(() => p.kill('SIGKILL'), opts.timeoutMs ?? 60_000)
  return new Promise((resolve) => p.on('exit', (code, sig) => {
    clearInterval(poll)
    clearTimeout(kill)
    resolve({ code: code ?? (sig ? 128 : null), stdout, stderr, children: [...seen] })
  }))
}

export async function assertNoOrphans(pids: number[]): Promise<void> {
  const end = Date.now() + 3000
  while (pids.some(isAlive) && Date.now() < end) await new Promise((r) => setTimeout(r, 50))
  assert.deepEqual(pids.filter(isAlive), [], 'child processes outlived llmgw bench')
}

