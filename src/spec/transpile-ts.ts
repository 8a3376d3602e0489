/** Transpiles one .ts file (a spec in the module worker; a plugin there and on the main thread) to an ES module file beside it. */
import { readFile, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import type { WorkerReply } from './module-loader.js'

/** Transpiles a .ts spec as cosmiconfig's loader does (the nearest tsconfig.json, ES2022 module), but reports syntax errors. */
export async function transpileTs(file: string, compiledFile: string, what: 'spec' | 'plugin' = 'spec'): Promise<string | WorkerReply> {
  let ts: typeof import('typescript')
  try {
    ts = ((await import('typescript')) as { default: typeof import('typescript') }).default
  } catch {
    return { kind: 'error', rule: 'module-error', message: `a .ts ${what} needs the typescript package installed (npm i -D typescript)${what === 'spec' ? ', or use YAML' : ', or write it as .mjs'}` }
  }
  const source = await readFile(file, 'utf8')
  const tsconfig = ts.findConfigFile(dirname(file), (f) => ts.sys.fileExists(f))
  let compilerOptions: Record<string, unknown> = {}
  if (tsconfig !== undefined) {
    const { config, error } = ts.readConfigFile(tsconfig, (p) => ts.sys.readFile(p))
    if (error) return { kind: 'error', rule: 'module-error', message: `${tsconfig}: ${ts.flattenDiagnosticMessageText(error.messageText, ' ')}` }
    compilerOptions = ((config as { compilerOptions?: Record<string, unknown> } | undefined)?.compilerOptions ?? {}) as Record<string, unknown>
  }
  const out = ts.transpileModule(source, {
    fileName: file,
    reportDiagnostics: true,
    compilerOptions: {
      ...compilerOptions,
      module: ts.ModuleKind.ES2022,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      target: ts.ScriptTarget.ES2022,
      noEmit: false,
      sourceMap: false,
      inlineSourceMap: false,
    },
  })
  // transpileModule still emits code for a broken file (`{;` becomes `{}`), so its syntax errors must be read here.
  const syntax = out.diagnostics?.find((d) => d.category === ts.DiagnosticCategory.Error && d.file !== undefined && d.start !== undefined)
  if (syntax?.file !== undefined && syntax.start !== undefined) {
    const pos = syntax.file.getLineAndCharacterOfPosition(syntax.start)
    return {
      kind: 'error',
      rule: 'module-syntax',
      message: `TypeScript syntax error: ${ts.flattenDiagnosticMessageText(syntax.messageText, ' ')} (TS${syntax.code})`,
      line: pos.line + 1,
      col: pos.character + 1,
    }
  }
  await writeFile(compiledFile, out.outputText)
  return compiledFile
}
