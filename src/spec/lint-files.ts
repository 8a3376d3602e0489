/** lintFiles: load and check spec files (or the one the search finds) and collect every problem (SPEC §2 lint). */
import { resolve } from 'node:path'
import { loadSpecFile, searchSpec, SEARCH_PLACES } from './load.js'
import type { SpecProblem } from './problems.js'

export interface FileLint {
  file: string
  /** True when the spec can be served (no errors); warnings may remain. */
  ok: boolean
  problems: SpecProblem[]
}

/** One entry per file; with no files, the cosmiconfig search in `cwd` picks one (or reports that none exists). */
export async function lintFileSet(files: readonly string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<FileLint[]> {
  let targets = files.map((f) => resolve(cwd, f))
  if (targets.length === 0) {
    const found = await searchSpec(cwd)
    if (found === undefined) {
      const message = `no spec found in ${cwd} (looked for ${SEARCH_PLACES.join(', ')}); pass a file`
      return [{ file: cwd, ok: false, problems: [{ file: cwd, line: 1, col: 1, rule: 'no-spec-found', severity: 'error', message }] }]
    }
    if (typeof found !== 'string') return [{ file: found.file ?? cwd, ok: false, problems: found.ok ? [] : found.problems }]
    targets = [found]
  }
  const out: FileLint[] = []
  for (const file of targets) {
    const r = await loadSpecFile(file, env)
    out.push({ file, ok: r.ok, problems: r.ok ? r.warnings : r.problems })
  }
  return out
}

/** Every problem of every file, flat (the shape pre-commit hooks and editors want). */
export async function lintFiles(files: string[], cwd: string): Promise<SpecProblem[]> {
  return (await lintFileSet(files, cwd)).flatMap((f) => f.problems)
}

/** Problems that mean "could not read anything", which `llmgw lint` answers with exit 2 (SPEC §2). */
export const UNREADABLE_RULES: ReadonlySet<string> = new Set(['unreadable-file', 'no-spec-found'])
