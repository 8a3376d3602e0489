/**
 * TEST HOOK, not a feature: `LLMGW_TEST_SLOWDOWN=F` (a number from 1 to 100, read once when the server starts) makes
 * the gateway spend about F times its CPU per request, with a busy loop on each request of the main port. It exists so
 * the release gate (`llmgw bench --baseline`) can be shown to fail on a real slowdown (bench/README.md). Unset, the
 * dispatcher is returned as it is: no code on the request path.
 *
 * The loop's length is (F - 1) x the process's CPU time per request measured over its first requests (see
 * CALIBRATE_FROM). process.cpuUsage() is per process, so with `workers > 1` each worker sees the others' CPU too:
 * use one worker.
 */
export const TEST_SLOWDOWN_ENV = 'LLMGW_TEST_SLOWDOWN'

export type ParsedSlowdown = { readonly factor: number | undefined; readonly warning?: string }

/**
 * The factor, or undefined when unset, empty or 1. A value that is not a number from 1 to 100 is ignored with a
 * warning (a test hook must not stop a server); an active hook says so too, so it is never on unnoticed.
 */
export function parseTestSlowdown(v: string | undefined): ParsedSlowdown {
  if (v === undefined || v.trim() === '') return { factor: undefined }
  const n = Number(v)
  if (!/^\s*\d+(\.\d+)?\s*$/.test(v) || !(n >= 1 && n <= 100)) {
    return { factor: undefined, warning: `${TEST_SLOWDOWN_ENV} must be a number from 1 to 100, got ${JSON.stringify(v.slice(0, 40))}: ignored` }
  }
  if (n === 1) return { factor: undefined }
  return { factor: n, warning: `${TEST_SLOWDOWN_ENV}=${n}: test hook on, each request burns ${n}x its CPU (bench/README.md); never set it in production` }
}

/** Reads the hook once (at server start) and writes its warning, if any, to stderr. */
export function testSlowdownFromEnv(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const p = parseTestSlowdown(env[TEST_SLOWDOWN_ENV])
  if (p.warning) process.stderr.write(`llmgw: warning: ${p.warning}\n`)
  return p.factor
}

/**
 * The cost is measured once, unslowed, over requests CALIBRATE_FROM..CALIBRATE_TO (JIT warm by then; `llmgw bench`
 * warms up with 10,000), then the loop is fixed. Measured continuously instead, it ran away: a slower gateway serves
 * fewer requests per window, its fixed costs per window land on fewer requests, the loop grows, and a factor of 2
 * came out as 13x CPU per request.
 */
const CALIBRATE_FROM = 7000
const CALIBRATE_TO = 10_000

const cpuNowUs = (): number => {
  const u = process.cpuUsage()
  return u.user + u.system
}

/** Wraps a uWS handler so each call, once calibrated, first burns (F - 1) x the measured CPU cost of a request. */
export function withTestSlowdown<A extends unknown[]>(dispatch: (...args: A) => void, factor: number | undefined): (...args: A) => void {
  if (factor === undefined) return dispatch
  let extraUs = 0
  let requests = 0
  let calibrateStartUs = 0
  return (...args: A) => {
    requests++
    if (requests <= CALIBRATE_TO) {
      if (requests === CALIBRATE_FROM) calibrateStartUs = cpuNowUs()
      else if (requests === CALIBRATE_TO) extraUs = ((factor - 1) * (cpuNowUs() - calibrateStartUs)) / (CALIBRATE_TO - CALIBRATE_FROM)
    } else {
      const start = cpuNowUs()
      while (cpuNowUs() - start < extraUs) { /* the test hook's busy loop */ }
    }
    dispatch(...args)
  }
}
