/**
 * TEST HOOK, not a feature: `LLMGW_TEST_SLOWDOWN=F` (a number from 1 to 100, read once when the server starts) makes
 * the gateway spend about F times its CPU per request, with a busy loop on each request of the main port. It exists so
 * the release gate (`llmgw bench --baseline`) can be shown to fail on a real slowdown (bench/README.md). Unset, the
 * dispatcher is returned as it is: no code on the request path.
 *
 * The loop's length follows the measured cost: every 250 ms the process's CPU time (minus the loop's own) per request
 * of that window sets the next window's loop to (F - 1) x that cost. process.cpuUsage() is per process, so with
 * `workers > 1` each worker sees the others' CPU too: use one worker.
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

/** Before the first window is measured: a guess at a gateway request's CPU cost, in microseconds. */
const FIRST_GUESS_US = 150
const WINDOW_MS = 250
/** Fewer requests than this in a window say little about the cost per request: keep the last figure. */
const MIN_WINDOW_REQUESTS = 20

const cpuNowUs = (): number => {
  const u = process.cpuUsage()
  return u.user + u.system
}

/** Wraps a uWS handler so each call first burns (F - 1) x the measured CPU cost of a request. */
export function withTestSlowdown<A extends unknown[]>(dispatch: (...args: A) => void, factor: number | undefined): (...args: A) => void {
  if (factor === undefined) return dispatch
  let extraUs = (factor - 1) * FIRST_GUESS_US
  let spunUs = 0
  let requests = 0
  let last = { cpu: cpuNowUs(), spun: 0, requests: 0 }
  const timer = setInterval(() => {
    const cpu = cpuNowUs()
    const n = requests - last.requests
    if (n >= MIN_WINDOW_REQUESTS) {
      const ownUs = Math.max(0, cpu - last.cpu - (spunUs - last.spun)) / n
      // halfway to the new figure: one odd window (GC, a reload) does not swing the loop
      extraUs = (extraUs + (factor - 1) * ownUs) / 2
    }
    last = { cpu, spun: spunUs, requests }
  }, WINDOW_MS)
  timer.unref()
  return (...args: A) => {
    requests++
    const start = cpuNowUs()
    let now = start
    while (now - start < extraUs) now = cpuNowUs()
    spunUs += now - start
    dispatch(...args)
  }
}
