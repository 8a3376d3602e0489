/** loadSpec: find (cosmiconfig), read and validate the spec; never throws on input (SPEC §2 `-c`, search; §3). */
import { open, stat } from 'node:fs/promises'
import { basename, dirname, extname, resolve } from 'node:path'
import { checkDocument, type LoadResult } from './check.js'
import { defaultSpec } from './default.js'
import { loadSpecModule } from './module-loader.js'
import { parseSpecSource } from './parse.js'
import { checkPluginModules } from './plugin-check.js'
import { parseSource } from './source-positions.js'
import { locateNowhere, type SpecProblem } from './problems.js'

export type { LoadResult } from './check.js'

export interface LoadOptions {
  /** An explicit spec file (`-c FILE`), relative to cwd; without it the search runs. */
  file?: string
  cwd?: string
  env?: NodeJS.ProcessEnv
  /** Time limit for evaluating a JS/TS spec (module-loader.ts); default LLMGW_SPEC_LOAD_TIMEOUT_MS, else 10 s. */
  moduleTimeoutMs?: number
}

/** Spec files larger than this are refused before they are read (a real spec with 10,000 keys is ~2 MB). */
export const MAX_SPEC_BYTES = 16 * 1024 * 1024

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
  return loadSpecFile(file, env, opts.moduleTimeoutMs === undefined ? {} : { moduleTimeoutMs: opts.moduleTimeoutMs })
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
    // cosmiconfig parses package.json itself and throws on broken JSON: read that file as a spec is read, so the
    // problem has its line:col and reason (the first line of cosmiconfig's message had neither)
    const text = (e instanceof Error ? e.message : String(e)).replace(/\s*\n\s*/g, ' ').trim().slice(0, 300)
    const bad = /JSON Error in (\S+?):/.exec(text)
    const own = bad ? await loadSpecFile(bad[1]!) : undefined
    // readable leniently (a trailing comma) and without an "llmgw" field: it holds no spec, so none was found here
    if (own !== undefined && !own.ok && own.problems.every((p) => p.rule === 'required-field')) return undefined
    return own !== undefined && !own.ok ? own : failed(cwd, 'unreadable-file', `searching for a spec failed: ${text}`)
  }
}

/**
 * Reads one spec file by its extension: YAML/JSON with positions (read here, no worker), JS/MJS/CJS/TS evaluated in
 * a worker thread with a time limit (module-loader.ts). Files over MAX_SPEC_BYTES are refused before reading.
 */
export async function loadSpecFile(file: string, env: NodeJS.ProcessEnv = process.env, opts: { moduleTimeoutMs?: number } = {}): Promise<LoadResult> {
  const ext = extname(file).toLowerCase()
  const plugins = { env, ...(opts.moduleTimeoutMs === undefined ? {} : { timeoutMs: opts.moduleTimeoutMs }) }
  if (!CODE_EXTENSIONS.has(ext)) {
    const text = await readSpecText(file)
    if (typeof text !== 'string') return text
    const root = basename(file) === 'package.json' ? ['llmgw'] : []
    return checkPluginModules(parseSpecSource(text, file, env, root), () => parseSource(text, file, root).locate, plugins)
  }
  try {
    const st = await stat(file)
    if (st.isFile() && st.size > MAX_SPEC_BYTES) return tooLarge(file, st.size)
  } catch (e) {
    return failed(file, 'unreadable-file', `cannot read the spec: ${messageOf(e)}`)
  }
  const r = await loadSpecModule(file, { env, ...(opts.moduleTimeoutMs === undefined ? {} : { timeoutMs: opts.moduleTimeoutMs }) })
  if (!r.ok) {
    if (r.code === 'EACCES') return failed(file, 'unreadable-file', `cannot read the spec: ${r.message}`)
    return { ok: false, file, problems: [{ file, line: r.line ?? 1, col: r.col ?? 1, rule: r.rule, severity: 'error', message: r.message }] }
  }
  return checkPluginModules(checkDocument({ raw: r.value, file, resultFile: file, locate: locateNowhere, env, baseDir: dirname(file) }), () => locateNowhere, plugins)
}

/** A spec file's text, or a failed result when it cannot be read or is over MAX_SPEC_BYTES (checked before reading). */
export async function readSpecText(file: string): Promise<string | LoadResult> {
  try {
    const fh = await open(file, 'r')
    try {
      const st = await fh.stat()
      if (st.isFile() && st.size > MAX_SPEC_BYTES) return tooLarge(file, st.size)
      return await fh.readFile('utf8')
    } finally {
      await fh.close()
    }
  } catch (e) {
    return failed(file, 'unreadable-file', `cannot read the spec: ${messageOf(e)}`)
  }
}

function tooLarge(file: string, size: number): LoadResult {
  const mb = (n: number) => `${(n / (1024 * 1024)).toFixed(1)} MB`
  return failed(file, 'file-too-large', `the spec file is ${mb(size)}, over the ${mb(MAX_SPEC_BYTES)} limit (a spec with 10,000 keys is about 2 MB): is this the right file?`)
}

function failed(file: string, rule: string, message: string): LoadResult {
  const problem: SpecProblem = { file, line: 1, col: 1, rule, severity: 'error', message }
  return { ok: false, file, problems: [problem] }
}

function messageOf(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0] ?? ''
}
