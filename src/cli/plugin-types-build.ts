/** Build step (`npm run build`, after tsc): dist/core/plugin-api.d.ts, the types `llmgw/plugin` publishes for plugin authors (SPEC §3 rules[].type: plugin). */
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import ts from 'typescript'
import { packageRoot } from '../core/package-root.js'

// One file's declarations, without a type check (tsc already checked it): the rest of dist/ has no .d.ts, and
// `declaration: true` for the whole build would write ~300 files nobody imports.
const root = packageRoot()
const source = readFileSync(join(root, 'src', 'core', 'plugin-api.ts'), 'utf8')
const out = ts.transpileDeclaration(source, { fileName: 'plugin-api.ts', reportDiagnostics: true, compilerOptions: { module: ts.ModuleKind.NodeNext, target: ts.ScriptTarget.ES2022 } })
const problems = out.diagnostics ?? []
if (problems.length > 0) {
  for (const d of problems) process.stderr.write(`plugin-api.ts: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}\n`)
  process.exit(1)
}
writeFileSync(join(root, 'dist', 'core', 'plugin-api.d.ts'), out.outputText)
process.stdout.write('plugin types: dist/core/plugin-api.d.ts\n')
