/** loadSpec: find (cosmiconfig), read and validate the spec; never throws on input (SPEC §2 `-c`, search; §3). */
import { readFile } from 'node:fs/promises'
import { basename, dirname, extname, resolve } from 'node:path'
import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'
import { checkDocument, type LoadResult } from './check.js'
import { defaultSpec } from './default.js'
import { parseSpecSource } from './parse.js'
import { locateNowhere, type SpecProblem } from './problems.js'

export type { LoadResult } from './check.js'

export interface LoadOptions {
  /** An explicit spec file (`-c FILE`), relative to cwd; without it the search runs. */
  file?: string
  cwd?: string
  env?: NodeJS.ProcessEnv
}

/** SPEC §2 search places, in order; package.json counts only with an "llmgw" field. */
export const SEARCH_PLACES = [
  'llmgw.config.yaml',
  'llmgw.config.yml',
  'llmgw.config.json',
  'llmgw.config.js',
  'llmgw.config.mjs',
  'llmgw.config.cjs',
  'llmgw.config.ts',
  '.llmgwrc',
  '.llmgwrc.yaml',
  '.llmgwrc.yml',
  '.llmgwrc.json',
  'package.json',
]

const CODE_EXTENSIONS = new Set(['.js', '.mjs', '.cjs', '.ts'])

export async function loadSpec(opts: LoadOptions = {}): Promise<LoadResult> {
  const cwd = resolve(opts.cwd ?? process.cwd())
  const env = opts.env ?? process.env
  let file: string | undefined
  if (opts.file !== undefined) file = resolve(cwd, opts.file)
  else {
    const found = await searchSpec(cwd)
    if (typeof found !== 'string') return found ?? defaultSpec(cwd)
    file = found
  }
  return loadSpecFile(file, env)
}

/** The path of the first spec file in `cwd`, undefined when there is none, or a failed result when the search broke. */
export async function searchSpec(cwd: string): Promise<string | LoadResult | undefined> {
  try {
    // cosmiconfig only locates here; each loader returns a marker so no config code runs twice.
    const { cosmiconfig } = await import('cosmiconfig')
    const found = () => ({ found: true })
    const packageField = (_: string, content: string) => {
      try {
        return JSON.parse(content) as object
      } catch {
        return found()
      }
    }
    const explorer = cosmiconfig('llmgw', {
      searchPlaces: SEARCH_PLACES,
      searchStrategy: 'none',
      ignoreEmptySearchPlaces: false,
      cache: false,
      loaders: { '.yaml': found, '.yml': found, '.json': packageField, '.js': found, '.mjs': found, '.cjs': found, '.ts': found, noExt: found },
    })
    const result = await explorer.search(cwd)
    return result?.filepath
  } catch (e) {
    return failed(cwd, 'unreadable-file', `searching for a spec failed: ${messageOf(e)}`)
  }
}

/** Reads one spec file by its extension: YAML/JSON with positions, JS/MJS/CJS by import, TS via cosmiconfig's loader. */
export async function loadSpecFile(file: string, env: NodeJS.ProcessEnv = process.env): Promise<LoadResult> {
  const ext = extname(file).toLowerCase()
  if (!CODE_EXTENSIONS.has(ext)) {
    let text: string
    try {
      text = await readFile(file, 'utf8')
    } catch (e) {
      return failed(file, 'unreadable-file', `cannot read the spec: ${messageOf(e)}`)
    }
    return parseSpecSource(text, file, env, basename(file) === 'package.json' ? ['llmgw'] : [])
  }
  let raw: unknown
  try {
    raw = ext === '.ts' ? await importTs(file) : await importJs(file)
  } catch (e) {
    const code = (e as { code?: string }).code
    if (code === 'ENOENT' || code === 'ERR_MODULE_NOT_FOUND' || code === 'EACCES') return failed(file, 'unreadable-file', `cannot read the spec: ${messageOf(e)}`)
    return failed(file, 'module-error', `the spec module failed to load: ${messageOf(e)}`)
  }
  return checkDocument({ raw, file, resultFile: file, locate: locateNowhere, env, baseDir: dirname(file) })
}

async function importJs(file: string): Promise<unknown> {
  // The query makes a reload see the new ESM file; CommonJS files are cached by path, so drop that entry too.
  delete createRequire(import.meta.url).cache[file]
  const mod = (await import(`${pathToFileURL(file).href}?v=${Date.now()}`)) as { default?: unknown }
  return mod.default ?? mod
}

async function importTs(file: string): Promise<unknown> {
  await readFile(file) // a clear ENOENT before TypeScript is loaded
  const { defaultLoaders } = await import('cosmiconfig')
  const load = defaultLoaders['.ts']
  if (!load) throw new Error('this cosmiconfig has no TypeScript loader')
  try {
    return await load(file, await readFile(file, 'utf8'))
  } catch (e) {
    if (/Cannot find (module|package) 'typescript'/.test(messageOf(e))) throw new Error('a .ts spec needs the typescript package installed (npm i -D typescript), or use YAML')
    throw e
  }
}

function failed(file: string, rule: string, message: string): LoadResult {
  const problem: SpecProblem = { file, line: 1, col: 1, rule, severity: 'error', message }
  return { ok: false, file, problems: [problem] }
}

function messageOf(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0] ?? ''
}
