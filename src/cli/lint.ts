/** `llmgw lint [FILE...] [--format stylish|json] [--strict]` (SPEC §2): 0 clean, 1 errors (warnings with --strict), 2 unreadable. */
import { lintFileSet, UNREADABLE_RULES } from '../spec/lint-files.js'
import { formatStylish, wantsColor } from '../ui/stylish.js'
import { EXIT } from './exit-codes.js'

export interface LintOptions {
  format: 'stylish' | 'json'
  strict: boolean
}

export async function runLint(files: string[], o: LintOptions): Promise<number> {
  const results = await lintFileSet(files ?? [], process.cwd())
  const all = results.flatMap((r) => r.problems)
  if (o.format === 'json') {
    const report = results.map((r) => ({
      file: r.file,
      errorCount: r.problems.filter((p) => p.severity === 'error').length,
      warningCount: r.problems.filter((p) => p.severity === 'warning').length,
      problems: r.problems,
    }))
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`)
  } else {
    process.stdout.write(formatStylish(results, { color: wantsColor(process.stdout) }))
  }
  if (all.some((p) => UNREADABLE_RULES.has(p.rule))) return EXIT.usage
  if (all.some((p) => p.severity === 'error')) return EXIT.failure
  if (o.strict && all.length > 0) return EXIT.failure
  return EXIT.ok
}
