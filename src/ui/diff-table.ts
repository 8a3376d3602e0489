/** `llmgw diff` table output (SPEC §2): one cli-table3 row per change, then the summary line. */
import Table from 'cli-table3'
import { styleText } from 'node:util'
import { formatTransition, type DiffDocument } from '../spec/diff/format.js'
import { formatSummary, type ChangeClass } from '../spec/diff/types.js'

const CLASS_COLOR: Record<ChangeClass, 'red' | 'yellow' | 'green'> = { breaking: 'red', risky: 'yellow', safe: 'green' }

export interface DiffTableOptions {
  /** ANSI colours for the class column (a TTY without NO_COLOR). */
  color: boolean
  /** Terminal width to fit (stdout.columns); default 160. */
  width?: number
}

/** Fixed narrow columns, the rest shared by path, values and note; every cell wraps rather than widening the frame. */
function columnWidths(width: number): number[] {
  const fixed = [10, 9, 9] // class, change, restart (+ borders)
  const rest = Math.max(60, width - fixed.reduce((a, b) => a + b, 0) - 7)
  const path = Math.floor(rest * 0.34)
  const values = Math.floor(rest * 0.3)
  return [fixed[0]!, fixed[1]!, path, values, fixed[2]!, rest - path - values]
}

export function formatDiffTable(doc: DiffDocument, o: DiffTableOptions): string {
  const header = `${doc.old.file} (${doc.old.version}) -> ${doc.new.file} (${doc.new.version})`
  if (doc.changes.length === 0) return `${header}\nno changes\n`
  const paint = (cls: ChangeClass) => (o.color ? styleText(CLASS_COLOR[cls], cls) : cls)
  const table = new Table({
    head: ['class', 'change', 'path', 'before -> after', 'restart', 'note'],
    colWidths: columnWidths(o.width ?? 160),
    wordWrap: true,
    style: { head: [], border: [] },
  })
  for (const r of doc.changes) {
    // Paths have no spaces: break them anywhere; prose wraps at words.
    table.push([paint(r.class), r.kind, { content: r.path, wrapOnWordBoundary: false }, formatTransition(r, '->'), r.needsRestart ? 'yes' : '', r.note])
  }
  return `${header}\n${table.toString()}\n${formatSummary(doc.summary)}\n`
}
