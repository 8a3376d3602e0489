/** The processes a self-hosted bench or profile runs: `llmgw mock` and `llmgw serve` on free loopback ports (SPEC §2). */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { request } from 'undici'
import { cliArgv, spawnChild, type Child } from './children.js'
import { childPids } from './proc.js'
import { KEEP_PROVIDER_FIELDS, writeBenchSpec } from './gateway-spec.js'
import type { Scenario } from './scenario.js'
import { loadSpecFile } from '../spec/load.js'

export interface StackOptions {
  readonly config?: string
  readonly scenarios: Scenario[]
  /** extra environment for the gateway (LLMGW_PROFILE_STAGES=1) */
  readonly gatewayEnv?: Record<string, string>
  /** node flags for the gateway (--cpu-prof ...) */
  readonly gatewayNodeArgs?: string[]
  /** run the gateway under a wrapper CLI (clinic): `node SCRIPT ...ARGS -- node <gateway>`, stopped with SIGINT */
  readonly gatewayWrapper?: { readonly script: string; readonly args: string[]; readonly stopGraceMs: number }
}

export interface Stack {
  readonly mock: Child
  readonly gateway: Child
  readonly specFile: string
  readonly dir: string
  /** Stops the gateway (SIGTERM, so profilers write their files) then the mock, and removes the temp dir. */
  close(): Promise<void>
}

export async function startMock(): Promise<Child> {
  // no latency and no pacing: the bench measures the gateway's cost, not a simulated model's speed
  return spawnChild({ name: 'llmgw mock', args: ['mock', '--host', '127.0.0.1', '--port', '0', '--latency', '0ms', '--tokens-per-second', '0'] })
}

const TEMP_PREFIX = 'llmgw-bench-'

/**
 * The temp dir of a run is named after the pid that owns it. A run killed with SIGKILL cannot remove its own dir (its
 * children do end, see parent-link.ts), so each run first removes the dirs of runs whose process is gone.
 */
export function sweepStaleTempDirs(root = tmpdir()): string[] {
  const removed: string[] = []
  let names: string[]
  try { names = readdirSync(root) } catch { return removed }
  for (const name of names) {
    const m = /^llmgw-bench-(\d+)-/.exec(name)
    if (!m || isRunning(Number(m[1]))) continue
    try {
      rmSync(join(root, name), { recursive: true, force: true })
      removed.push(name)
    } catch { /* another user's, or already gone: not ours to fix */ }
  }
  return removed
}

/** kill(pid, 0): ESRCH means no such process; EPERM means it runs under another user. */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}

export async function startStack(o: StackOptions): Promise<Stack> {
  if (o.config !== undefined) await assertValidSpec(o.config)
  sweepStaleTempDirs()
  const dir = mkdtempSync(join(tmpdir(), `${TEMP_PREFIX}${process.pid}-`))
  let mock: Child | undefined
  try {
    mock = await startMock()
    const specFile = writeBenchSpec({ config: o.config, mockUrl: mock.url, scenarios: o.scenarios, accessLogFile: join(dir, 'access.log'), dir })
    const serveArgs = ['serve', '-c', specFile, '--port', '0', '--no-dashboard', '--no-watch']
    const w = o.gatewayWrapper
    const env = { ...process.env, ...o.gatewayEnv }
    const gateway = w
      ? await spawnChild({ name: 'llmgw serve (wrapped)', script: w.script, args: [...w.args, '--', process.execPath, ...(o.gatewayNodeArgs ?? []), ...cliArgv(serveArgs)], env, startTimeoutMs: 60_000 })
      : await spawnChild({ name: 'llmgw serve', args: serveArgs, env, nodeArgs: o.gatewayNodeArgs, startTimeoutMs: 20_000 })
    const m = mock
    return {
      mock: m, gateway, specFile, dir,
      close: async () => {
        if (w) interruptTree(gateway.pid)
        await (w ? gateway.stop(w.stopGraceMs, 'SIGINT') : gateway.stop(10_000))
        await m.stop()
        rmSync(dir, { recursive: true, force: true })
      },
    }
  } catch (e) {
    await mock?.stop()
    rmSync(dir, { recursive: true, force: true })
    throw e
  }
}

/**
 * SIGINT to every process under `pid`, as Ctrl+C in a terminal reaches the whole process group. clinic flame (0x)
 * relies on that: it does not pass its own SIGINT on to the profiled process, which then never exits, so no report.
 */
function interruptTree(pid: number): void {
  for (const c of childPids(pid)) {
    interruptTree(c)
    try { process.kill(c, 'SIGINT') } catch { /* already gone */ }
  }
}

export interface MockStats {
  readonly requests: number
  readonly aborted: number
}

/** GET /_mock/stats: how many requests really reached the upstream (undefined if the mock does not answer). */
export async function mockStats(mockUrl: string): Promise<MockStats | undefined> {
  try {
    const res = await request(`${mockUrl}/_mock/stats`, { headersTimeout: 2000, bodyTimeout: 2000 })
    const j = (await res.body.json()) as Partial<MockStats>
    if (res.statusCode !== 200) return undefined
    return typeof j.requests === 'number' ? { requests: j.requests, aborted: j.aborted ?? 0 } : undefined
  } catch {
    return undefined
  }
}

/**
 * The user's -c is checked as serve and lint check it, before anything starts: its problems then point at their file
 * (`file:line:col`). Checked only after the rewrite for the mock, they pointed at a deleted temporary file and lost
 * those in the providers the rewrite replaces. A missing `${env:...}` in what the rewrite replaces (a provider's
 * apiKey, headers, baseUrl) is no problem here: bench never calls the real provider, so CI needs no production keys.
 */
async function assertValidSpec(config: string): Promise<void> {
  const r = await loadSpecFile(resolve(config))
  if (r.ok) return
  // a provider's secrets and address are replaced by the mock's: their variables need not be set to bench a spec
  const replaced = (message: string): boolean => {
    const field = /^providers\[\d+\]\.(\w+)/.exec(message)?.[1]
    return field !== undefined && !KEEP_PROVIDER_FIELDS.includes(field)
  }
  const errors = r.problems.filter((p) => p.severity === 'error' && !(p.rule === 'env-missing' && replaced(p.message)))
  if (errors.length === 0) return
  const lines = errors.map((p) => `    ${p.file}:${p.line}:${p.col}  ${p.severity}  ${p.message}  ${p.rule}`)
  throw new Error(`the spec ${config} is invalid (${lines.length} problem(s)); run llmgw lint ${config}\n${lines.join('\n')}`)
}
