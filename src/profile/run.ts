/** `llmgw profile` (SPEC §2): run the gateway under autocannon load and show where the time goes (stages, cpu, doctor, flame). */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { packageRoot } from '../core/package-root.js'
import { runLoad, type LoadResult } from '../bench/run.js'
import type { Scenario } from '../bench/scenario.js'
import { probe } from '../bench/session.js'
import { startStack, type Stack } from '../bench/stack.js'
import { loadSpecFile } from '../spec/load.js'
import { clinicStatus, parseClinicReport } from './clinic.js'
import { formatCpuSummary, readCpuProfile, summarizeCpuProfile } from './cpuprofile.js'
import { formatHeapSummary, readHeapProfile, summarizeHeapProfile } from './heapprofile.js'
import { fetchStages, formatStages } from './stages.js'

export type ProfileTool = 'stages' | 'cpu' | 'doctor' | 'flame'

export interface ProfileSessionOptions {
  readonly config?: string
  readonly tool: ProfileTool
  readonly durationMs: number
  readonly outDir: string
  /** false when --out was not given: `stages` then writes no files */
  readonly outGiven: boolean
  readonly scenario: Scenario
  readonly connections: number
  readonly signal: AbortSignal
  readonly print: (text: string) => void
}

export class ProfileError extends Error {}

/** Returns normally with everything printed; throws ProfileError with a message for the user when a step fails. */
export async function runProfileSession(o: ProfileSessionOptions): Promise<void> {
  const outDir = resolve(o.outDir)
  const profiling = o.tool !== 'stages'
  if (profiling || o.outGiven) mkdirSync(outDir, { recursive: true })
  const clinic = o.tool === 'doctor' || o.tool === 'flame' ? clinicStatus(o.tool) : undefined
  if (clinic) o.print(clinic.bin ? `clinic ${o.tool}: ${clinic.reason}` : `clinic ${o.tool}: not used: ${clinic.reason}; falling back to node --cpu-prof${o.tool === 'doctor' ? ' --heap-prof' : ''}`)
  const useClinic = clinic?.bin !== undefined
  const nodeArgs = profiling && !useClinic ? [`--cpu-prof`, `--cpu-prof-dir=${outDir}`] : []
  if (o.tool === 'doctor' && !useClinic) nodeArgs.push('--heap-prof', `--heap-prof-dir=${outDir}`)
  // clinic analyses for a while after SIGINT before it writes the HTML; it must not be SIGKILLed for being slow
  const gatewayWrapper = useClinic ? { script: clinic!.bin!, args: [o.tool, '--open=false', '--dest', outDir], stopGraceMs: 300_000 } : undefined
  let stack: Stack | undefined
  try {
    stack = await startStack({
      config: o.config, scenarios: [o.scenario], gatewayNodeArgs: nodeArgs, gatewayWrapper,
      gatewayEnv: o.tool === 'stages' ? { LLMGW_PROFILE_STAGES: '1' } : useClinic ? { NO_INSIGHT: 'true', CI: 'true' } : {},
    })
    o.print(`driving ${o.scenario.name} at ${o.connections} connections for ${o.durationMs / 1000}s against ${stack.gateway.url} (pid ${stack.gateway.pid})`)
    // a scenario the gateway refuses (404 model, 401 key) would profile error answers: say why, as bench does
    const refused = await probe(stack.gateway.url, o.scenario)
    if (refused) throw new ProfileError(`${o.scenario.name}: ${refused}`)
    const load = await driveLoad(stack, o)
    o.print(`${load.requests} requests, ${load.reqPerSec.toFixed(0)} req/s, p50 ${load.latencyMs.p50} ms, p99 ${load.latencyMs.p99} ms, ${load.non2xx} non-2xx, ${load.errors} errors${load.interrupted ? ' (interrupted)' : ''}`)
    if (o.tool === 'stages') {
      const token = await adminToken(stack.specFile)
      const stages = await fetchStages(stack.gateway.url, token).catch((e: Error) => { throw new ProfileError(e.message) })
      o.print(formatStages(stages, load.requests))
      if (o.outGiven) writeFileSync(join(outDir, 'stages.json'), `${JSON.stringify({ scenario: o.scenario.name, requests: load.requests, stages }, null, 2)}\n`)
      return
    }
    // SIGTERM: serve drains and exits normally, which is when node writes --cpu-prof/--heap-prof files
    const gateway = stack.gateway
    await stack.close()
    stack = undefined
    const code = await gateway.exited
    if (useClinic) {
      const html = parseClinicReport(gateway.tail())
      if (!html) throw new ProfileError(`clinic ${o.tool} wrote no report (exit ${code}):\n${gateway.tail()}`)
      o.print(`report: ${html}`)
      return
    }
    reportProfiles(outDir, o, code)
  } finally {
    await stack?.close()
  }
}

/**
 * The served spec's `admin.token` (its `${env:...}` filled from the environment the gateway was started with), so
 * GET /admin/stages is asked as the spec's admin; undefined when the spec sets none.
 */
async function adminToken(specFile: string): Promise<string | undefined> {
  const r = await loadSpecFile(specFile, process.env)
  const token = r.ok ? r.spec.admin.token : undefined
  return token && !token.isEmpty ? token.reveal() : undefined
}

async function driveLoad(stack: Stack, o: ProfileSessionOptions): Promise<LoadResult> {
  const ac = new AbortController()
  const stop = (): void => ac.abort()
  o.signal.addEventListener('abort', stop, { once: true })
  let crashed: string | undefined
  void stack.gateway.exited.then((c) => { crashed = `the gateway exited (${c}) under load:\n${stack.gateway.tail()}`; ac.abort() })
  try {
    const load = await runLoad({ baseUrl: stack.gateway.url, scenario: o.scenario, connections: o.connections, durationMs: o.durationMs, signal: ac.signal })
    if (crashed) throw new ProfileError(crashed)
    return load
  } finally {
    o.signal.removeEventListener('abort', stop)
  }
}

function reportProfiles(outDir: string, o: ProfileSessionOptions, exitCode: number | string): void {
  const files = readdirSync(outDir)
  const cpu = files.filter((f) => f.endsWith('.cpuprofile')).map((f) => join(outDir, f))
  if (cpu.length === 0) {
    throw new ProfileError(`no .cpuprofile was written to ${outDir}: the gateway exited with ${exitCode} (node writes it only on a normal exit after SIGTERM)`)
  }
  o.print(`report: ${outDir}`)
  for (const f of cpu) {
    o.print(`cpu profile: ${f} (open in Chrome DevTools > Performance, or speedscope)`)
    o.print(formatCpuSummary(summarizeCpuProfile(readCpuProfile(f), 10, packageRoot())))
  }
  for (const f of files.filter((x) => x.endsWith('.heapprofile'))) {
    o.print(`heap profile: ${join(outDir, f)} (open in Chrome DevTools > Memory)`)
    o.print(formatHeapSummary(summarizeHeapProfile(readHeapProfile(join(outDir, f)), 5, packageRoot())))
  }
}
