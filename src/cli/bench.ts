/** `llmgw bench` (SPEC §2): load the gateway with autocannon, report ratios to direct, gate on a baseline. */
import { accessSync, constants, readFileSync, statSync, writeFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { parseDuration } from '../core/duration.js'
import { baselineExitCode, compareToBaseline, missingFromRun, parsePercent } from '../bench/compare.js'
import { formatRegressions, formatReport } from '../bench/report.js'
import { parseBenchResult, type BenchResult } from '../bench/result.js'
import { assertLoopback, NotLoopbackError } from '../bench/run.js'
import { formatProblems, listScenarios, loadScenario, resolveScenario, type Scenario } from '../bench/scenario.js'
import { runSession, type Progress } from '../bench/session.js'
import { stopAll } from '../bench/children.js'
import { EXIT, UsageError } from './exit-codes.js'

export interface BenchOptions {
  config?: string
  target?: string
  scenario?: string
  duration: string
  connections: number
  json: boolean
  baseline?: string
  saveBaseline?: string
  maxRegression: string
  /** interleaved rounds per scenario; default 5 with --baseline or --save-baseline, else 1 */
  rounds?: number
}

/** Rounds when a baseline is compared or saved: enough for a median and a spread, ~10 runs per scenario. */
export const GATE_ROUNDS = 5

/** Exit 130 after Ctrl-C (shell convention), like any interrupted command. */
const EXIT_INTERRUPTED = 130

export async function runBench(o: BenchOptions): Promise<number> {
  const durationMs = parseDuration(o.duration)
  if (durationMs === undefined || durationMs < 1000) throw new UsageError(`--duration must be a duration of at least 1s, like "10s" (got ${o.duration})`)
  if (!Number.isInteger(o.connections) || o.connections < 1 || o.connections > 10_000) throw new UsageError('--connections must be from 1 to 10000')
  const maxRegression = parsePercent(o.maxRegression)
  if (maxRegression === undefined) throw new UsageError(`--max-regression must be a percentage like "10%" (got ${o.maxRegression})`)
  if (o.target && o.config) throw new UsageError('give --target (an already running gateway) or -c (a spec bench serves itself), not both')
  if (o.target) {
    try { assertLoopback(o.target) } catch (e) { if (e instanceof NotLoopbackError) throw new UsageError(`--target: ${e.message}`); throw e }
  }
  if (o.rounds !== undefined && (!Number.isInteger(o.rounds) || o.rounds < 1 || o.rounds > 100)) throw new UsageError('--rounds must be from 1 to 100')
  const rounds = o.rounds ?? (o.baseline || o.saveBaseline ? GATE_ROUNDS : 1)
  const baseline = o.baseline ? readBaseline(o.baseline) : undefined
  if (o.saveBaseline) assertWritableFile(o.saveBaseline, '--save-baseline')
  const scenarios = loadScenarios(o.scenario)

  const ac = new AbortController()
  let presses = 0
  const onSigint = (): void => {
    presses++
    if (presses === 1) {
      process.stderr.write('\nllmgw bench: interrupted, stopping the run and the processes it started (Ctrl-C again to force)\n')
      ac.abort()
    } else {
      void stopAll(0).then(() => process.exit(EXIT_INTERRUPTED))
    }
  }
  process.on('SIGINT', onSigint)
  process.on('SIGTERM', onSigint)
  // a closed terminal (SIGHUP) must stop the children too: the gateway treats its own SIGHUP as `reload` and would stay
  process.on('SIGHUP', onSigint)
  const ui = createProgressOutput(o.json)
  let result: BenchResult
  try {
    result = await runSession({ scenarios, connections: o.connections, durationMs, rounds, target: o.target, config: o.config, signal: ac.signal, onProgress: ui.update })
  } finally {
    ui.stop()
    process.off('SIGINT', onSigint)
    process.off('SIGTERM', onSigint)
    process.off('SIGHUP', onSigint)
  }

  if (o.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`)
  else process.stdout.write(`${formatReport(result)}\n`)
  if (o.saveBaseline) {
    try {
      writeFileSync(o.saveBaseline, `${JSON.stringify(result, null, 2)}\n`)
      process.stderr.write(`llmgw bench: baseline written to ${o.saveBaseline}\n`)
    } catch (e) {
      throw new UsageError(`--save-baseline: cannot write ${o.saveBaseline}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`)
    }
  }
  if (ac.signal.aborted) return EXIT_INTERRUPTED
  if (result.errors.length > 0) {
    if (o.json) for (const e of result.errors) process.stderr.write(`llmgw bench: ${e}\n`)
    return EXIT.failure
  }
  if (baseline) {
    const rows = compareToBaseline(result, baseline, maxRegression)
    const missing = missingFromRun(result, baseline)
    // the gate's verdict goes with the report: stdout, unless stdout carries the --json document
    const say = (t: string): boolean => (o.json ? process.stderr : process.stdout).write(`${t}\n`)
    if (rows.length === 0) {
      // a gate that measured nothing has not passed: every scenario was skipped, or none is in the baseline
      say('llmgw bench: nothing was compared: no scenario ran in both this run and the baseline; the gate fails')
      if (missing.length > 0) say(`not in this run: ${missing.join(', ')}`)
      return EXIT.failure
    }
    say(formatRegressions(rows, maxRegression))
    if (missing.length > 0) say(`not in this run (not compared): ${missing.join(', ')}`)
    if (baselineExitCode(rows) !== 0) return EXIT.failure
  }
  return EXIT.ok
}

/** Before a run of many seconds: a path that cannot take the file is a usage error now, not a stack trace after. */
function assertWritableFile(file: string, flag: string): void {
  const dir = dirname(resolve(file))
  const kind = (p: string): 'dir' | 'file' | 'none' => {
    try {
      return statSync(p).isDirectory() ? 'dir' : 'file'
    } catch {
      return 'none'
    }
  }
  if (kind(file) === 'dir') throw new UsageError(`${flag}: ${file} is a directory; give a file path`)
  if (kind(dir) !== 'dir') throw new UsageError(`${flag}: ${dir} is not an existing directory`)
  try {
    accessSync(dir, constants.W_OK)
  } catch {
    throw new UsageError(`${flag}: cannot write in ${dir}`)
  }
}

function readBaseline(file: string): BenchResult {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (e) {
    throw new UsageError(`--baseline: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`)
  }
  try {
    return parseBenchResult(JSON.parse(text), file)
  } catch (e) {
    throw new UsageError(`--baseline: ${e instanceof SyntaxError ? `${file}: invalid JSON: ${e.message}` : (e as Error).message}`)
  }
}

/** --scenario NAME|FILE, else every built-in scenario. All problems of all files are reported at once, like lint. */
export function loadScenarios(ref: string | undefined): Scenario[] {
  const files = ref ? [resolveScenario(ref)] : listScenarios().map((n) => resolveScenario(n))
  if (files.length === 0) throw new UsageError('no scenarios found in bench/scenarios (give --scenario FILE)')
  const out: Scenario[] = []
  const problems: string[] = []
  for (const f of files) {
    const r = loadScenario(f)
    if (r.ok) out.push(r.scenario)
    else problems.push(formatProblems(r.problems))
  }
  if (problems.length > 0) throw new UsageError(`invalid scenario:\n${problems.join('\n')}`)
  return out
}

interface ProgressOutput {
  update(p: Progress): void
  stop(): void
}

/** ink view on a TTY; otherwise one plain line per phase on stderr (CI logs); nothing extra with --json. */
function createProgressOutput(json: boolean): ProgressOutput {
  let latest: Progress | undefined
  let unmount: (() => void) | undefined
  // a TTY without a size (some CI runners, `script`) would squeeze ink into one column: plain lines there
  const tty = process.stderr.isTTY === true && (process.stderr.columns ?? 0) > 20 && !json
  if (tty) {
    void import('../ui/bench-progress.js').then((m) => { unmount = m.mountBenchProgress({ current: () => latest }) })
  }
  let lastKey = ''
  return {
    update(p) {
      latest = p
      if (tty) return
      const key = `${p.scenario}/${p.side}/${p.round ?? 1}`
      if (key === lastKey) return
      lastKey = key
      const round = (p.rounds ?? 1) > 1 && p.side !== 'ttfb' ? `, round ${p.round}/${p.rounds}` : ''
      process.stderr.write(p.side === 'starting' ? 'llmgw bench: starting mock + gateway\n' : `llmgw bench: ${p.scenario} (${p.index + 1}/${p.total}): ${p.side}${round}\n`)
    },
    stop() { unmount?.() },
  }
}
