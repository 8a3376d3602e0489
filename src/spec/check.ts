/** From a raw document to a LoadResult: interpolate, validate with zod, resolve file paths, lint (SPEC §3). */
import { isAbsolute, resolve } from 'node:path'
import { lintSpec } from './lint/index.js'
import { resolveProtocolFiles } from './protocol-files.js'
import { hasErrors, sortProblems, type Locator, type SpecProblem } from './problems.js'
import { interpolateEnv } from './interpolate.js'
import { specSchema, type Spec } from './schema.js'
import { specVersion } from './version.js'
import { describe, problemsFromIssues } from './zod-problems.js'

export type LoadResult =
  | { ok: true; spec: Spec; /** undefined = the embedded default */ file: string | undefined; version: string; warnings: SpecProblem[] }
  | { ok: false; file: string | undefined; problems: SpecProblem[] }

export interface CheckInput {
  raw: unknown
  /** Label used in problems (an absolute path, or "<default>"). */
  file: string
  /** The result's `file`: undefined for the embedded default. */
  resultFile: string | undefined
  locate: Locator
  env: NodeJS.ProcessEnv
  /** Relative wordsFile / publicKeyFile paths resolve against this directory (the spec file's). */
  baseDir: string
}

export function checkDocument(input: CheckInput): LoadResult {
  const { file, locate } = input
  const at = (path: (string | number)[], rule: string, message: string): SpecProblem => ({ file, ...locate(path), rule, severity: 'error', message })
  const fail = (problems: SpecProblem[]): LoadResult => ({ ok: false, file: input.resultFile, problems: sortProblems(problems) })

  if (input.raw === null || typeof input.raw !== 'object' || Array.isArray(input.raw)) {
    const got = input.raw === undefined || input.raw === null ? 'an empty document' : describe(input.raw)
    return fail([at([], 'invalid-value', `expected a mapping with version, providers and models, got ${got}`)])
  }
  const filled = interpolateEnv(input.raw, input.env)
  const envProblems = filled.problems.map((p) => at([...p.path], 'env-missing', `${pathLabel(p.path)}${p.message}`))
  // jitless: a spec is parsed once per load, so generating and compiling fast-path code per object costs more than it saves.
  const parsed = specSchema.safeParse(filled.value, { jitless: true })
  if (!parsed.success) {
    const zodProblems = problemsFromIssues(parsed.error.issues, { file, raw: filled.value, locate, schema: specSchema })
    // A missing variable already explains why the value at that place is empty or invalid.
    const blamed = new Set(envProblems.map((p) => `${p.line}:${p.col}`))
    return fail([...envProblems, ...zodProblems.filter((p) => !blamed.has(`${p.line}:${p.col}`))])
  }
  const spec = resolveFiles(parsed.data, input.baseDir)
  const problems = [...envProblems, ...lintSpec({ spec, raw: input.raw, file, locate })]
  if (hasErrors(problems)) return fail(problems)
  return { ok: true, spec, file: input.resultFile, version: specVersion(spec), warnings: sortProblems(problems) }
}

function pathLabel(path: readonly (string | number)[]): string {
  let out = ''
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out === '' ? seg : `.${seg}`
  return out === '' ? '' : `${out}: `
}

/** Makes file references absolute so stages and the watcher need not know where the spec lives. */
function resolveFiles(spec: Spec, baseDir: string): Spec {
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(baseDir, p))
  const rules = spec.rules.map((r) =>
    r.type === 'content-filter' && r.wordsFile !== undefined ? { ...r, wordsFile: abs(r.wordsFile) } : r.type === 'plugin' ? { ...r, module: abs(r.module) } : r,
  )
  const jwt = spec.auth.jwt
  const auth = jwt?.publicKeyFile !== undefined ? { ...spec.auth, jwt: { ...jwt, publicKeyFile: abs(jwt.publicKeyFile) } } : spec.auth
  return { ...spec, rules, auth, providers: spec.providers.map((p) => resolveProtocolFiles(p.apiKeyFile === undefined ? p : { ...p, apiKeyFile: abs(p.apiKeyFile) }, abs)) }
}
