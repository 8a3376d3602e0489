/**
 * ESLint-style "stylish" text for spec problems (SPEC §2 `llmgw lint`): the file, then one line per problem. Each line
 * starts with the whole `file:line:col` (SPEC: "each problem with file:line:col"), so editors' problem matchers and a
 * grep of pre-commit logs can jump to it.
 */
import type { SpecProblem } from '../spec/problems.js'

export interface FileProblems {
  file: string
  problems: readonly SpecProblem[]
}

const ANSI = { reset: '\x1b[0m', dim: '\x1b[2m', red: '\x1b[31m', yellow: '\x1b[33m', bold: '\x1b[1m', underline: '\x1b[4m' }

/** The whole report; an empty string when there is nothing to say (ESLint prints nothing for clean files). */
export function formatStylish(results: readonly FileProblems[], opts: { color: boolean }): string {
  const paint = (code: string, text: string) => (opts.color ? `${code}${text}${ANSI.reset}` : text)
  let out = ''
  let errors = 0
  let warnings = 0
  for (const { file, problems } of results) {
    if (problems.length === 0) continue
    const rows = problems.map((p) => ({ pos: `${file}:${p.line}:${p.col}`, sev: p.severity, msg: p.message.replace(/\s+/g, ' '), rule: p.rule }))
    const posWidth = Math.max(...rows.map((r) => r.pos.length))
    const msgWidth = Math.max(...rows.map((r) => r.msg.length))
    out += `\n${paint(ANSI.underline, file)}\n`
    for (const r of rows) {
      if (r.sev === 'error') errors++
      else warnings++
      const sev = r.sev === 'error' ? paint(ANSI.red, 'error  ') : paint(ANSI.yellow, 'warning')
      out += `  ${paint(ANSI.dim, r.pos.padEnd(posWidth))}  ${sev}  ${r.msg.padEnd(msgWidth)}  ${paint(ANSI.dim, r.rule)}\n`
    }
  }
  const total = errors + warnings
  if (total === 0) return ''
  const summary = `✖ ${total} problem${total === 1 ? '' : 's'} (${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'})`
  return `${out}\n${paint(ANSI.bold + (errors > 0 ? ANSI.red : ANSI.yellow), summary)}\n`
}

/** Color only for terminals, and never when NO_COLOR is set (no-color.org). */
export function wantsColor(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): boolean {
  return stream.isTTY === true && env.NO_COLOR === undefined && env.TERM !== 'dumb'
}
