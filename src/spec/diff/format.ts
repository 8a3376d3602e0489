/** `llmgw diff --format json|markdown` codecs (SPEC §2). The table lives in ui/diff-table.ts (cli-table3). */
import { formatSummary, summarizeDiff, type DiffRow, type DiffSummary } from './types.js'

export interface DiffSide {
  /** As the user named it: a path or git:REF:path. */
  file: string
  /** specVersion() of that side (12 hex chars). */
  version: string
}

/**
 * The stable JSON document of `llmgw diff --format json` (version 1). Consumers may rely on:
 *   { "version": 1,
 *     "old": { "file": string, "version": string }, "new": { "file": string, "version": string },
 *     "changes": [ { "path": string, "kind": "added"|"removed"|"changed", "before"?: string, "after"?: string,
 *                    "class": "breaking"|"risky"|"safe", "needsRestart": boolean, "note": string } ],
 *     "summary": { "breaking": number, "risky": number, "safe": number, "needsRestart": number } }
 * Keys appear in this order; "before"/"after" are display text (secrets are "[redacted]" / "changed"), absent when
 * the value did not exist on that side. New fields may be added in version 1; none are renamed or removed.
 */
export interface DiffDocument {
  version: 1
  old: DiffSide
  new: DiffSide
  changes: DiffRow[]
  summary: DiffSummary
}

export function createDiffDocument(old: DiffSide, next: DiffSide, rows: DiffRow[]): DiffDocument {
  return { version: 1, old: { file: old.file, version: old.version }, new: { file: next.file, version: next.version }, changes: rows, summary: summarizeDiff(rows) }
}

export function formatDiffJson(doc: DiffDocument): string {
  return `${JSON.stringify(doc, null, 2)}\n`
}

const CLASS_BADGE = { breaking: '**breaking**', risky: 'risky', safe: 'safe' } as const

/** A cell of a GitHub table: pipes escaped, newlines flattened, code spans for paths. */
function cell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ')
}

function code(text: string): string {
  return `\`${text.replace(/`/g, "'")}\``
}

/** "before → after", "→ after" (added), "before →" (removed). */
export function formatTransition(r: DiffRow, arrow = '→'): string {
  if (r.kind === 'added') return `${arrow} ${r.after ?? '(new)'}`
  if (r.kind === 'removed') return `${r.before ?? '(old)'} ${arrow}`
  return `${r.before ?? '-'} ${arrow} ${r.after ?? '-'}`
}

/** A Markdown report for PR comments: a heading, the summary, one table row per change. */
export function formatDiffMarkdown(doc: DiffDocument): string {
  const lines = [`### llmgw diff: ${code(doc.old.file)} → ${code(doc.new.file)}`, '']
  if (doc.changes.length === 0) return `${lines.join('\n')}\nNo changes.\n`
  lines.push(`**${formatSummary(doc.summary)}**`, '')
  lines.push('| class | change | path | before → after | restart | note |', '|---|---|---|---|---|---|')
  for (const r of doc.changes) {
    lines.push(`| ${CLASS_BADGE[r.class]} | ${r.kind} | ${code(r.path)} | ${cell(formatTransition(r))} | ${r.needsRestart ? 'yes' : ''} | ${cell(r.note)} |`)
  }
  return `${lines.join('\n')}\n`
}
