/** Whether clinic (doctor/flame) can run `llmgw profile --tool doctor|flame` (SPEC §2), where it is, and why not. */
import { existsSync, realpathSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
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
 * clinic is an optional dependency of llmgw (clinic 13, its last release: ~700 packages, TensorFlow.js for doctor, 0x
 * for flame), so `npm ci` installs it where it can and an install that skipped it still works. It runs on Node 20
 * with our ESM + uWS process (bench/README.md#profiling-clinic). Used when its `@clinic/<tool>` loads in a child
 * node (from our node_modules, or a `clinic` on PATH); otherwise the caller prints `reason` and the V8 profilers stand in.
 */
export function clinicStatus(tool: 'doctor' | 'flame', env: NodeJS.ProcessEnv = process.env, root: string = packageRoot()): ClinicStatus {
  const bin = fromPackage(root) ?? fromPath(env.PATH ?? '')
  if (!bin) return { bin, reason: 'clinic is not installed (an optional dependency `npm ci` skipped; `npm i -D clinic` to use it)' }
  const broken = loadError(bin, tool)
  if (broken) return { bin: undefined, reason: `clinic at ${dirname(bin)} does not load (${broken})` }
  return { bin, reason: `using clinic at ${dirname(bin)}` }
}

/** Why `@clinic/<tool>` does not load next to `bin` in a fresh node, or undefined when it does. */
function loadError(bin: string, tool: string): string | undefined {
  let mod: string
  try {
    mod = createRequire(bin).resolve(`@clinic/${tool}`)
  } catch {
    return `@clinic/${tool} is missing`
  }
  const r = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(mod)})`], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, NO_INSIGHT: 'true' } })
  if (r.status === 0) return undefined
  if (r.error) return r.error.message
  const line = (r.stderr ?? '').split('\n').find((l) => /Error/.test(l)) ?? `exit ${r.status ?? r.signal}`
  return line.trim().slice(0, 200)
}

function fromPackage(root: string): string | undefined {
  try {
    const pj = createRequire(join(root, 'package.json')).resolve('clinic/package.json')
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
