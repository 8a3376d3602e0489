/**
 * `llmgw lint [FILE...] [--format stylish|json] [--strict] [--explain]` (SPEC §2): 0 clean, 1 errors (warnings with
 * --strict), 2 unreadable. --explain also prints the Plan each valid spec compiles to (a tree, or `plan` in the JSON).
 */
import { lintFileSet, UNREADABLE_RULES } from '../spec/lint-files.js'
import { formatStylish, wantsColor } from '../ui/stylish.js'
import { EXIT } from './exit-codes.js'

export interface LintOptions {
  format: 'stylish' | 'json'
  strict: boolean
  /** Print the Plan of each valid file (app/explain.ts, imported only then: plain lint stays cold-start fast). */
  explain?: boolean
}

export async function runLint(files: string[], o: LintOptions): Promise<number> {
  const results = await lintFileSet(files ?? [], process.cwd())
  const all = results.flatMap((r) => r.problems)
  const explain = o.explain ? await import('../app/explain.js') : undefined
  const plans = explain ? await Promise.all(results.map((r) => (r.ok ? explain.planFile(r.file) : undefined))) : []
  if (o.format === 'json') {
    const report = results.map((r, i) => ({
      file: r.file,
      errorCount: r.problems.filter((p) => p.severity === 'error').length,
      warningCount: r.problems.filter((p) => p.severity === 'warning').length,
      problems: r.problems,
      ...(explain ? { plan: plans[i] ? explain.explainJson(plans[i]) : null } : {}),
    }))
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`)
  } else {
    process.stdout.write(formatStylish(results, { color: wantsColor(process.stdout) }))
    results.forEach((r, i) => {
      const plan = plans[i]
      if (explain && plan) process.stdout.write(`${results.length > 1 ? `\n${r.file}\n` : ''}${explain.explainTree(plan)}\n`)
    })
  }
  if (all.some((p) => UNREADABLE_RULES.has(p.rule))) return EXIT.usage
  if (all.some((p) => p.severity === 'error')) return EXIT.failure
  if (o.strict && all.length > 0) return EXIT.failure
  return EXIT.ok
}
