/** Bench scenario files (bench/scenarios/*.json, SPEC §2 `bench --scenario`): load, validate with line:col like lint. */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import { LineCounter, parseDocument, isMap } from 'yaml'
import { parseDuration } from '../core/duration.js'
import { packageRoot } from '../core/package-root.js'

export interface Scenario {
  readonly name: string
  readonly file: string
  readonly description: string
  readonly method: string
  readonly path: string
  readonly headers: Record<string, string>
  /** Serialised request bodies, sent round-robin (one entry when the file has `body`). */
  readonly bodies: string[]
  readonly stream: boolean
  readonly connections: number | undefined
  readonly durationMs: number | undefined
  /** Gateway features the scenario needs (e.g. `cache`); it is skipped when the gateway lacks them. */
  readonly requires: string[]
}

export interface ScenarioProblem {
  readonly file: string
  readonly line: number
  readonly col: number
  readonly message: string
}

export type ScenarioResult = { ok: true; scenario: Scenario } | { ok: false; problems: ScenarioProblem[] }

const KNOWN = new Set(['name', 'description', 'method', 'path', 'headers', 'body', 'bodies', 'stream', 'connections', 'duration', 'requires'])
const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE'])

/** The core scenarios first, optional features last; other files follow alphabetically. */
const RUN_ORDER = ['chat', 'chat-stream', 'embeddings', 'mixed', 'cache-hit']

export function scenarioDir(): string {
  return join(packageRoot(), 'bench', 'scenarios')
}

/** Built-in scenario names, in a stable order (the order `llmgw bench` runs them). */
export function listScenarios(dir = scenarioDir()): string[] {
  if (!existsSync(dir)) return []
  const rank = (n: string): number => { const i = RUN_ORDER.indexOf(n); return i === -1 ? RUN_ORDER.length : i }
  return readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => basename(f, '.json')).sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))
}

/** NAME (from bench/scenarios) or a path to a file. */
export function resolveScenario(ref: string, dir = scenarioDir()): string {
  if (ref.includes('/') || ref.endsWith('.json') || ref.endsWith('.yaml') || ref.endsWith('.yml')) return ref
  return join(dir, `${ref}.json`)
}

export function loadScenario(file: string): ScenarioResult {
  let src: string
  try {
    src = readFileSync(file, 'utf8')
  } catch (e) {
    const known = listScenarios()
    const hint = known.length > 0 ? ` (built-in scenarios: ${known.join(', ')})` : ''
    return fail(file, 1, 1, `cannot read scenario: ${(e as NodeJS.ErrnoException).code ?? String(e)}${hint}`)
  }
  return parseScenario(src, file)
}

/** Pure: source text -> scenario or problems with positions. JSON is parsed as YAML so both get line:col. */
export function parseScenario(src: string, file: string): ScenarioResult {
  const lc = new LineCounter()
  const doc = parseDocument(src, { lineCounter: lc, prettyErrors: false, uniqueKeys: true })
  if (doc.errors.length > 0) {
    // With prettyErrors off the yaml package leaves linePos unset: the position comes from the error's offset.
    return {
      ok: false,
      problems: doc.errors.map((e) => {
        const pos = lc.linePos(e.pos[0])
        return { file, line: Math.max(1, pos.line), col: Math.max(1, pos.col), message: e.message.split('\n')[0] ?? 'syntax error' }
      }),
    }
  }
  const problems: ScenarioProblem[] = []
  const at = (path: (string | number)[], message: string): void => {
    const node = (path.length > 0 ? doc.getIn(path, true) : doc.contents) as { range?: [number, number, number] } | undefined
    const pos = lc.linePos(node?.range?.[0] ?? 0)
    problems.push({ file, line: pos.line, col: pos.col, message })
  }
  if (!isMap(doc.contents)) return fail(file, 1, 1, 'a scenario is an object: { name, method, path, headers, body | bodies, stream }')
  for (const item of doc.contents.items) {
    const k = String((item.key as { value?: unknown } | null)?.value ?? item.key)
    if (!KNOWN.has(k)) {
      const pos = lc.linePos((item.key as { range?: [number, number, number] }).range?.[0] ?? 0)
      problems.push({ file, line: pos.line, col: pos.col, message: `unknown field '${k}' (known: ${[...KNOWN].join(', ')})` })
    }
  }
  const raw = doc.toJS() as Record<string, unknown>
  const str = (k: string, req: boolean): string | undefined => {
    const v = raw[k]
    if (v === undefined) { if (req) at([], `'${k}' is required`); return undefined }
    if (typeof v !== 'string' || v === '') { at([k], `'${k}' must be a non-empty string`); return undefined }
    return v
  }
  const name = str('name', true)
  const description = str('description', false) ?? ''
  const method = (str('method', false) ?? 'POST').toUpperCase()
  if (!METHODS.has(method)) at(['method'], `'method' must be one of ${[...METHODS].join(', ')}`)
  const path = str('path', true)
  if (path !== undefined && !path.startsWith('/')) at(['path'], "'path' must start with '/'")
  const headers = checkHeaders(raw.headers, (m) => at(['headers'], m))
  const bodies = checkBodies(raw, at, method)
  if (raw.stream !== undefined && typeof raw.stream !== 'boolean') at(['stream'], "'stream' must be true or false")
  const connections = raw.connections
  if (connections !== undefined && (!Number.isInteger(connections) || (connections as number) < 1 || (connections as number) > 10_000)) {
    at(['connections'], "'connections' must be a whole number from 1 to 10000")
  }
  let durationMs: number | undefined
  if (raw.duration !== undefined) {
    durationMs = parseDuration(raw.duration as string | number)
    if (durationMs === undefined || durationMs <= 0) at(['duration'], "'duration' must be a duration like \"10s\"")
  }
  const requires = raw.requires ?? []
  if (!Array.isArray(requires) || !requires.every((r) => typeof r === 'string')) at(['requires'], "'requires' must be a list of feature names")
  if (problems.length > 0 || name === undefined || path === undefined) {
    problems.sort((a, b) => a.line - b.line || a.col - b.col)
    return { ok: false, problems: problems.length > 0 ? problems : [{ file, line: 1, col: 1, message: 'invalid scenario' }] }
  }
  return {
    ok: true,
    scenario: { name, file: displayPath(file), description, method, path, headers, bodies, stream: raw.stream === true, connections: connections as number | undefined, durationMs, requires: requires as string[] },
  }
}

function checkHeaders(v: unknown, bad: (m: string) => void): Record<string, string> {
  if (v === undefined) return {}
  if (typeof v !== 'object' || v === null || Array.isArray(v)) { bad("'headers' must be an object of header: value strings"); return {} }
  const out: Record<string, string> = {}
  for (const [k, x] of Object.entries(v)) {
    if (typeof x !== 'string' && typeof x !== 'number') { bad(`header '${k}' must be a string`); continue }
    out[k.toLowerCase()] = String(x)
  }
  return out
}

function checkBodies(raw: Record<string, unknown>, at: (p: (string | number)[], m: string) => void, method: string): string[] {
  if (raw.body !== undefined && raw.bodies !== undefined) { at(['bodies'], "give either 'body' or 'bodies', not both"); return [] }
  const encode = (b: unknown): string => (typeof b === 'string' ? b : JSON.stringify(b))
  if (raw.bodies !== undefined) {
    if (!Array.isArray(raw.bodies) || raw.bodies.length === 0) { at(['bodies'], "'bodies' must be a non-empty list (sent round-robin)"); return [] }
    raw.bodies.forEach((b, i) => { if (b === null || typeof b === 'number' || typeof b === 'boolean') at(['bodies', i], 'each body must be an object or a string') })
    return raw.bodies.map(encode)
  }
  if (raw.body === undefined) {
    if (method !== 'GET' && method !== 'DELETE') at([], `'body' or 'bodies' is required for ${method}`)
    return []
  }
  if (raw.body === null || typeof raw.body === 'number' || typeof raw.body === 'boolean') at(['body'], "'body' must be an object or a string")
  return [encode(raw.body)]
}

/** Every `model` named in the bodies: the self-hosted bench declares these in the spec it generates. */
export function scenarioModels(s: Scenario): string[] {
  const out = new Set<string>()
  for (const b of s.bodies) {
    try {
      const m = (JSON.parse(b) as { model?: unknown }).model
      if (typeof m === 'string') out.add(m)
    } catch { /* a non-JSON body names no model */ }
  }
  return [...out]
}

/** Built-in scenarios are shown relative to the package (stable across machines in --json output). */
function displayPath(file: string): string {
  const root = `${packageRoot()}/`
  return file.startsWith(root) ? file.slice(root.length) : file
}

function fail(file: string, line: number, col: number, message: string): ScenarioResult {
  return { ok: false, problems: [{ file, line, col, message }] }
}

export function formatProblems(problems: ScenarioProblem[]): string {
  return problems.map((p) => `${p.file}:${p.line}:${p.col}  error  ${p.message}  bench-scenario`).join('\n')
}
