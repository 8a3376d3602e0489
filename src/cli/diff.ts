/** `llmgw diff OLD NEW [--format table|json|markdown] [--exit-code]` (SPEC §2): what clients will notice. */
import { diffSpecs } from '../spec/diff/index.js'
import { createDiffDocument, formatDiffJson, formatDiffMarkdown } from '../spec/diff/format.js'
import { loadDiffSide, type DiffSideResult } from '../spec/diff/side.js'
import { EXIT } from './exit-codes.js'

export interface DiffOptions {
  format: 'table' | 'json' | 'markdown'
  /** Exit 1 when the specs differ (like `git diff --exit-code`). */
  exitCode: boolean
}

/**
 * Exit codes: 0 (also when they differ, unless --exit-code), 1 with --exit-code when there is any change,
 * 2 for usage errors, unreadable sides (missing file, bad git ref) and invalid specs (problems on stderr).
 */
export async function runDiff(oldRef: string, newRef: string, o: DiffOptions): Promise<number> {
  const cwd = process.cwd()
  const [before, after] = await Promise.all([loadDiffSide(oldRef, cwd, process.env), loadDiffSide(newRef, cwd, process.env)])
  if (!before.ok || !after.ok) {
    for (const side of [before, after]) if (!side.ok) reportFailure(side)
    return EXIT.usage
  }
  const placeholders = [...new Set([...before.placeholders, ...after.placeholders])].sort()
  if (placeholders.length > 0)
    process.stderr.write(`llmgw diff: note: not set in the environment, compared as placeholders: ${placeholders.join(', ')}\n`)

  const rows = diffSpecs(before.spec, after.spec)
  const doc = createDiffDocument({ file: before.label, version: before.version }, { file: after.label, version: after.version }, rows)
  let out: string
  if (o.format === 'json') out = formatDiffJson(doc)
  else if (o.format === 'markdown') out = formatDiffMarkdown(doc)
  else {
    const { formatDiffTable } = await import('../ui/diff-table.js')
    out = formatDiffTable(doc, { color: process.stdout.isTTY === true && !process.env.NO_COLOR, width: process.stdout.columns })
  }
  process.stdout.write(out)
  return o.exitCode && rows.length > 0 ? EXIT.failure : EXIT.ok
}

function reportFailure(side: Exclude<DiffSideResult, { ok: true }>): void {
  if ('error' in side) {
    process.stderr.write(`llmgw diff: ${side.error}\n`)
    return
  }
  process.stderr.write(`llmgw diff: ${side.label} is not a valid spec:\n`)
  for (const p of side.problems) process.stderr.write(`${p.file}:${p.line}:${p.col}  ${p.severity}  ${p.message}  ${p.rule}\n`)
}
