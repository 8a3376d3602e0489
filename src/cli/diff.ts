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

/** Where a run reads and writes; tests pass their own, the CLI the process's. */
export interface DiffIo {
  cwd: string
  env: NodeJS.ProcessEnv
  stdout: { write(s: string): unknown; isTTY?: boolean; columns?: number }
  stderr: { write(s: string): unknown }
}

const processIo = (): DiffIo => ({ cwd: process.cwd(), env: process.env, stdout: process.stdout, stderr: process.stderr })

/**
 * Exit codes: 0 (also when they differ, unless --exit-code), 1 with --exit-code when there is any change,
 * 2 for usage errors, unreadable sides (missing file, bad git ref) and invalid specs (problems on stderr).
 */
export async function runDiff(oldRef: string, newRef: string, o: DiffOptions, io: DiffIo = processIo()): Promise<number> {
  const [before, after] = await Promise.all([loadDiffSide(oldRef, io.cwd, io.env), loadDiffSide(newRef, io.cwd, io.env)])
  if (!before.ok || !after.ok) {
    for (const side of [before, after]) if (!side.ok) reportFailure(side, io)
    return EXIT.usage
  }
  const placeholders = [...new Set([...before.placeholders, ...after.placeholders])].sort()
  if (placeholders.length > 0)
    io.stderr.write(`llmgw diff: note: not set in the environment, compared as placeholders: ${placeholders.join(', ')}\n`)

  const rows = diffSpecs(before.spec, after.spec)
  const doc = createDiffDocument({ file: before.label, version: before.version }, { file: after.label, version: after.version }, rows)
  let out: string
  if (o.format === 'json') out = formatDiffJson(doc)
  else if (o.format === 'markdown') out = formatDiffMarkdown(doc)
  else {
    const { formatDiffTable } = await import('../ui/diff-table.js')
    out = formatDiffTable(doc, { color: io.stdout.isTTY === true && !io.env.NO_COLOR, width: io.stdout.columns })
  }
  io.stdout.write(out)
  return o.exitCode && rows.length > 0 ? EXIT.failure : EXIT.ok
}

function reportFailure(side: Exclude<DiffSideResult, { ok: true }>, io: DiffIo): void {
  if ('error' in side) {
    io.stderr.write(`llmgw diff: ${side.error}\n`)
    return
  }
  io.stderr.write(`llmgw diff: ${side.label} is not a valid spec:\n`)
  for (const p of side.problems) io.stderr.write(`${p.file}:${p.line}:${p.col}  ${p.severity}  ${p.message}  ${p.rule}\n`)
}
