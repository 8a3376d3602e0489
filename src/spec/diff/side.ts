/** One side of `llmgw diff` (SPEC §2): a spec file, or `git:REF:path` read with `git show`; validated like any spec. */
import { execFile } from 'node:child_process'
import { extname, resolve } from 'node:path'
import { promisify } from 'node:util'
import { loadSpecFile, readSpecText } from '../load.js'
import { parseSpecText } from '../parse.js'
import type { SpecProblem } from '../problems.js'
import type { Spec } from '../schema.js'

const run = promisify(execFile)

export type DiffSideResult =
  | { ok: true; label: string; spec: Spec; version: string; placeholders: string[] }
  /** The spec is there but invalid: problems with file:line:col (file = the label). */
  | { ok: false; label: string; problems: SpecProblem[] }
  /** The side cannot be read at all (bad git ref, missing file): one message. */
  | { ok: false; label: string; error: string }

const REQUIRED_REF = /\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g

/**
 * Missing environment variables must not stop a review (CI rarely has production secrets). When a side fails only
 * because `${env:X}` (without a default) is unset, it is validated again with X = "unset-env-X" on both sides alike,
 * so an unchanged reference compares equal and a changed one shows up as changed. The caller prints which names
 * were substituted. If the placeholder itself is invalid where it stands (a port, a URL), the original problems stand.
 */
function withPlaceholders(text: string, env: NodeJS.ProcessEnv): { env: NodeJS.ProcessEnv; names: string[] } {
  const names = [...new Set([...text.matchAll(REQUIRED_REF)].map((m) => m[1]!))].filter((n) => env[n] === undefined)
  const filled: NodeJS.ProcessEnv = { ...env }
  for (const n of names) filled[n] = `unset-env-${n}`
  return { env: filled, names }
}

export async function loadDiffSide(ref: string, cwd: string, env: NodeJS.ProcessEnv): Promise<DiffSideResult> {
  const label = ref
  let text: string
  let file: string
  let code = false
  if (ref.startsWith('git:')) {
    const got = await gitShow(ref, cwd)
    if ('error' in got) return { ok: false, label, error: got.error }
    ;({ text, file } = got)
  } else {
    file = resolve(cwd, ref)
    code = ['.js', '.mjs', '.cjs', '.ts'].includes(extname(file).toLowerCase())
    // the loader's read: the same size cap as lint and serve (a 50 MB spec is refused, not parsed for 20 s)
    const got = await readSpecText(file)
    if (typeof got !== 'string') {
      const p = got.ok ? undefined : got.problems[0]
      if (p?.rule === 'unreadable-file') return { ok: false, label, error: `cannot read ${ref}: ${/ENOENT/.test(p.message) ? 'no such file' : p.message}` }
      return { ok: false, label, problems: got.ok ? [] : got.problems.map((x) => ({ ...x, file: label })) }
    }
    text = got
  }
  const parse = (e: NodeJS.ProcessEnv) => (code ? loadSpecFile(file, e) : Promise.resolve(parseSpecText(text, file, e)))
  let result = await parse(env)
  let placeholders: string[] = []
  if (!result.ok && result.problems.some((p) => p.rule === 'env-missing')) {
    const retry = withPlaceholders(text, env)
    const second = await parse(retry.env)
    if (second.ok) {
      result = second
      placeholders = retry.names
    }
  }
  if (!result.ok) return { ok: false, label, problems: result.problems.map((p) => ({ ...p, file: label })) }
  return { ok: true, label, spec: result.spec, version: result.version, placeholders }
}

/** `git show REF:path` in cwd. Paths are relative to the repository root, or to cwd when written ./path. */
async function gitShow(ref: string, cwd: string): Promise<{ text: string; file: string } | { error: string }> {
  const rest = ref.slice('git:'.length)
  const colon = rest.indexOf(':')
  const rev = colon > 0 ? rest.slice(0, colon) : ''
  const path = colon > 0 ? rest.slice(colon + 1) : ''
  if (rev === '' || path === '') return { error: `${ref}: expected git:REF:path, e.g. git:HEAD:llmgw.config.yaml` }
  if (['.js', '.mjs', '.cjs', '.ts'].includes(extname(path).toLowerCase())) return { error: `${ref}: only YAML and JSON specs can be read from git` }
  try {
    const top = (await run('git', ['rev-parse', '--show-toplevel'], { cwd, encoding: 'utf8' })).stdout.trim()
    const { stdout } = await run('git', ['show', `${rev}:${path}`], { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
    // Relative references (wordsFile, PEM files) resolve as they would in the checked-out tree.
    const file = path.startsWith('./') || path.startsWith('../') ? resolve(cwd, path) : resolve(top, path)
    return { text: stdout, file }
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: string }
    if (err.code === 'ENOENT') return { error: `${ref}: git is not installed (or not on PATH)` }
    const why = (err.stderr ?? err.message).trim().split('\n')[0] ?? 'git failed'
    return { error: `${ref}: ${why.replace(/^fatal: /, '')}` }
  }
}
