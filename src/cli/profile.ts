/** `llmgw profile` (SPEC §2): drive a scenario and show where a request's time goes. */
import { join } from 'node:path'
import { parseDuration } from '../core/duration.js'
import { stopAll } from '../bench/children.js'
import { EXIT, UsageError } from './exit-codes.js'
import { loadScenarios } from './bench.js'

export interface ProfileOptions {
  config?: string
  tool: 'stages' | 'cpu' | 'doctor' | 'flame'
  duration: string
  out?: string
  scenario?: string
}

const TOOLS = new Set(['stages', 'cpu', 'doctor', 'flame'])
const CONNECTIONS = 50

export async function runProfile(o: ProfileOptions): Promise<number> {
  const durationMs = parseDuration(o.duration)
  if (durationMs === undefined || durationMs < 1000) throw new UsageError(`--duration must be a duration of at least 1s, like "10s" (got ${o.duration})`)
  if (!TOOLS.has(o.tool)) throw new UsageError(`--tool must be one of ${[...TOOLS].join(', ')}`)
  const [scenario] = loadScenarios(o.scenario ?? 'chat')
  const outDir = o.out ?? join('.llmgw', 'profiles', new Date().toISOString().replace(/[:.]/g, '-'))
  const { runProfileSession, ProfileError } = await import('../profile/run.js')

  const ac = new AbortController()
  let presses = 0
  const onSignal = (): void => {
    presses++
    if (presses === 1) {
      process.stderr.write('\nllmgw profile: interrupted, stopping the load and the gateway\n')
      ac.abort()
    } else {
      void stopAll(0).then(() => process.exit(130))
    }
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  // a closed terminal (SIGHUP) must stop the children too: the gateway treats its own SIGHUP as `reload` and would stay
  process.on('SIGHUP', onSignal)
  try {
    await runProfileSession({
      config: o.config, tool: o.tool, durationMs, outDir, outGiven: o.out !== undefined, scenario: scenario!,
      connections: scenario!.connections ?? CONNECTIONS, signal: ac.signal,
      print: (t) => process.stdout.write(`${t}\n`),
    })
    return ac.signal.aborted ? 130 : EXIT.ok
  } catch (e) {
    if (e instanceof ProfileError || e instanceof Error) {
      process.stderr.write(`llmgw profile: ${e.message}\n`)
      return EXIT.failure
    }
    throw e
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
    process.off('SIGHUP', onSignal)
    await stopAll()
  }
}
