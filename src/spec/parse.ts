/** parseSpecText: YAML or JSON text to a LoadResult, synchronously (used by load, reload and diff; SPEC §3, §6). */
import { dirname, resolve } from 'node:path'
import { checkDocument, type LoadResult } from './check.js'
import { parseSource } from './source-positions.js'

/**
 * Validates spec text. `file` labels problems and anchors relative file references; YAML and JSON both parse
 * (JSON is YAML), so the extension does not matter. Never throws on any input.
 */
export function parseSpecText(text: string, file: string, env: NodeJS.ProcessEnv = process.env): LoadResult {
  return parseSpecSource(text, file, env, /package\.json$/.test(file) ? ['llmgw'] : [])
}

/** As parseSpecText, for a spec nested in a bigger document (package.json's "llmgw" field). */
export function parseSpecSource(text: string, file: string, env: NodeJS.ProcessEnv, root: string[]): LoadResult {
  const source = parseSource(text, file, root)
  if (source.problems.length > 0) return { ok: false, file, problems: source.problems }
  if (root.length > 0 && source.raw === undefined) {
    const message = `no "${root.join('.')}" field in ${file}`
    return { ok: false, file, problems: [{ file, line: 1, col: 1, rule: 'required-field', severity: 'error', message }] }
  }
  return checkDocument({ raw: source.raw, file, resultFile: file, locate: source.locate, env, baseDir: dirname(resolve(file)) })
}
