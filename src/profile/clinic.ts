/** Whether clinic (doctor/flame) can be used for `llmgw profile --tool doctor|flame` (SPEC §2), and why not. */
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { packageRoot } from '../core/package-root.js'

export interface ClinicStatus {
  readonly installed: boolean
  /** one line for the user: why the --cpu-prof fallback is used */
  readonly reason: string
}

/**
 * clinic is not a dependency of llmgw: clinic 13 (its last release) pulls in @clinic/doctor with TensorFlow.js and
 * @clinic/flame with 0x, hundreds of packages for a tool most installs never run, and a second autocannon major.
 * See bench/README.md#profiling for what was tried on Node 20. The fallback writes the same kind of V8 profiles
 * that clinic flame renders, so `--tool flame|doctor` always produces a report.
 */
export function clinicStatus(): ClinicStatus {
  let installed = false
  try {
    createRequire(join(packageRoot(), 'package.json')).resolve('clinic/package.json')
    installed = true
  } catch { /* not installed: the usual case */ }
  if (installed) {
    return { installed, reason: 'clinic is installed, but llmgw drives only V8 profilers (run `npx clinic doctor -- node bin/llmgw.js serve -c FILE` for its HTML report)' }
  }
  return { installed, reason: 'clinic is not installed (not a dependency: heavy, TensorFlow.js and 0x for two views of the same V8 data)' }
}
