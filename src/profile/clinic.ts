/** Whether clinic (doctor/flame) can run `llmgw profile --tool doctor|flame` (SPEC §2), where it is, and why not. */
import { existsSync, realpathSync } from 'node:fs'
import { createRequire } from 'node:module'
import { delimiter, dirname, join } from 'node:path'
import { packageRoot } from '../core/package-root.js'

export interface ClinicStatus {
  /** path of clinic's bin.js when usable */
  readonly bin: string | undefined
  /** one line for the user */
  readonly reason: string
}

/**
 * clinic is not a dependency of llmgw: clinic 13 (its last release) installs 694 packages / 154 MB here
 * (TensorFlow.js for doctor, 0x for flame, a second autocannon major) for a tool most installs never run.
 * It does run on Node 20 with our ESM + uWS process (tried: bench/README.md#profiling), so when the user
 * installed it (`npm i -D clinic`, or `clinic` on PATH) we drive it; otherwise the V8 profilers stand in.
 */
export function clinicStatus(env: NodeJS.ProcessEnv = process.env): ClinicStatus {
  const bin = fromPackage() ?? fromPath(env.PATH ?? '')
  if (bin) return { bin, reason: `using clinic at ${dirname(bin)}` }
  return { bin, reason: 'clinic is not installed (not a dependency: ~700 packages incl. TensorFlow.js and 0x; `npm i -D clinic` to use it)' }
}

function fromPackage(): string | undefined {
  try {
    const pj = createRequire(join(packageRoot(), 'package.json')).resolve('clinic/package.json')
    const bin = join(dirname(pj), 'bin.js')
    return existsSync(bin) ? bin : undefined
  } catch {
    return undefined
  }
}

function fromPath(path: string): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue
    const link = join(dir, 'clinic')
    if (!existsSync(link)) continue
    try {
      // node_modules/.bin/clinic -> ../clinic/bin.js; a global install links the same way
      const real = realpathSync(link)
      if (real.endsWith('.js')) return real
    } catch { /* dangling link */ }
  }
  return undefined
}

/** "Generated HTML file is file:///…/1234.clinic-doctor.html" -> the path. */
export function parseClinicReport(output: string): string | undefined {
  const m = /Generated HTML file is (?:file:\/\/)?(\S+\.html)/.exec(output)
  return m?.[1]
}
