/**
 * execArgv for this process's worker threads. A Worker inherits execArgv, and flags that only make sense for the main
 * script kill it at start: run as `node --input-type=module -e ...` (a wrapper, a test harness), every worker failed
 * with "--input-type can only be used with string input" (spec modules, token counting, --workers).
 */
export const WORKER_EXEC_ARGV: readonly string[] = process.execArgv.filter((a, i, all) => {
  const evalFlag = (x: string | undefined): boolean => x === '-e' || x === '--eval' || x === '-p' || x === '--print'
  return !a.startsWith('--input-type') && !evalFlag(a) && !evalFlag(all[i - 1])
})
