// Shared by the bench/run-*.mjs scripts: their command line, the built llmgw modules they drive, the machine line.
import { cpus, loadavg } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'

export const benchDir = dirname(fileURLToPath(import.meta.url))

/** --duration, --connections, --dist (the build to drive, default dist/) plus the script's own options. */
export function benchArgs({ connections = '50', options = {} } = {}) {
  const { values } = parseArgs({ options: {
    duration: { type: 'string', default: '10s' }, connections: { type: 'string', default: connections },
    dist: { type: 'string', default: join(benchDir, '..', 'dist') }, ...options,
  } })
  return values
}

/** The modules of a built llmgw the scripts use (children, load, /proc sampling, scenarios, durations, TTFB probe). */
export async function loadDist(distDir) {
  const dist = pathToFileURL(resolve(distDir)).href
  const [children, run, proc, ttfb, scenario, duration] = await Promise.all(
    ['bench/children.js', 'bench/run.js', 'bench/proc.js', 'bench/ttfb.js', 'bench/scenario.js', 'core/duration.js'].map((m) => import(`${dist}/${m}`)),
  )
  return { ...children, ...run, ...proc, ...ttfb, ...scenario, ...duration }
}

/** "machine: 2 × CPU, node vX, load average a / b / c at the end" (the head line of every table here). */
export function machineLine() {
  return `machine: ${cpus().length} × ${cpus()[0]?.model}, node ${process.version}, load average ${loadavg().map((x) => x.toFixed(2)).join(' / ')} at the end`
}
