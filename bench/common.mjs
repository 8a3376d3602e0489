// Shared by the bench/run-*.mjs scripts: their command line, the built llmgw modules they drive, the machine line.
import { createHash } from 'node:crypto'
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

/** The one client key of the bench gateway spec below (sent as `Authorization: Bearer`). */
export const BENCH_KEY = 'llmgw-bench-key-0001'

/**
 * The full pipeline the baselines measure: auth required (one hashed key), per-key rpm/tpm/concurrency limits far
 * above the load, metrics and a JSON access log to `accessLog`; model mock-1 on the mock at `mockUrl`, plus `extra`
 * providers and models (run-baselines.mjs adds its paced one).
 */
export function benchGatewaySpec(mockUrl, accessLog, extra = { providers: [], models: [] }) {
  return {
    version: 1,
    providers: [{ name: 'up', type: 'openai', baseUrl: `${mockUrl}/v1`, timeout: '30s', connections: 128 }, ...extra.providers],
    models: [{ name: 'mock-1', targets: [{ provider: 'up', model: 'mock-1' }] }, ...extra.models],
    keys: [{ id: 'bench', hash: `sha256:${createHash('sha256').update(BENCH_KEY).digest('hex')}`, limits: { rpm: 100000000, tpm: 1000000000000, concurrency: 100000 } }],
    auth: { required: true },
    observability: { accessLog: { format: 'json', destination: accessLog }, metrics: true },
  }
}
