/** Translates zod issues into SpecProblems in the user's words, at the line where the value stands (SPEC §3). */
import type { z } from 'zod'
import { formatPath, suggest, type Locator, type SpecPath, type SpecProblem } from './problems.js'

type Issue = z.core.$ZodIssue

interface Context {
  file: string
  raw: unknown
  locate: Locator
  schema: z.ZodType
}

export function problemsFromIssues(issues: readonly Issue[], ctx: Context): SpecProblem[] {
  return issues.flatMap((issue) => fromIssue(issue, [], ctx))
}

function fromIssue(issue: Issue, prefix: SpecPath, ctx: Context): SpecProblem[] {
  const path = [...prefix, ...(issue.path as (string | number)[])]
  const make = (rule: string, message: string, at: SpecPath = path, where: 'key' | 'value' = 'value'): SpecProblem => {
    const { line, col } = ctx.locate(at, where)
    const where_ = formatPath(at)
    return { file: ctx.file, line, col, rule, severity: 'error', message: where_ ? `${where_}: ${message}` : message }
  }
  const value = valueAt(ctx.raw, path)
  // A raw key pasted into `hash:` is the likeliest mistake, and lint output lands in CI logs: never echo such values.
  const shown = (v: unknown): string => (isSecretPath(path) ? 'a value that is not shown here (it may be a secret)' : describe(v))

  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = knownKeys(ctx.schema, path, ctx.raw)
      return issue.keys.map((k) => make('unknown-field', `unknown field '${k}'${suggest(k, known)}`, [...path, k], 'key'))
    }
    case 'invalid_type':
      if (value === undefined) return [make('required-field', 'is required')]
      return [make('invalid-value', `expected ${article(issue.expected)}, got ${shown(value)}`)]
    case 'invalid_value': {
      const allowed = issue.values.map((v) => (typeof v === 'string' ? `'${v}'` : String(v)))
      if (value === undefined) return [make('required-field', `is required (${allowed.join(' | ')})`)]
      const hint = typeof value === 'string' ? suggest(value, issue.values.filter((v) => typeof v === 'string')) : ''
      return [make('invalid-value', `expected ${allowed.join(' | ')}, got ${shown(value)}${hint}`)]
    }
    case 'invalid_union': {
      // Take the branch whose shape matched (its first issue is not a plain type mismatch at this path).
      const fitting = issue.errors.find((branch) => branch.length > 0 && !branch.every((i) => i.code === 'invalid_type' && i.path.length === 0))
      if (fitting) return fitting.flatMap((i) => fromIssue(i, path, ctx))
      const { note, discriminator } = issue as { note?: string; discriminator?: string }
      if (note === 'No matching discriminator' && discriminator) {
        // zod puts the discriminator at the end of the path already; the union itself sits one level up.
        const at = path[path.length - 1] === discriminator ? path : [...path, discriminator]
        const d = valueAt(ctx.raw, at)
        const options = discriminatorValues(ctx.schema, at.slice(0, -1))
        const list = options.map((o) => `'${o}'`).join(' | ')
        const message = d === undefined ? `is required (${list})` : `expected ${list}, got ${describe(d)}${typeof d === 'string' ? suggest(d, options) : ''}`
        return [make(d === undefined ? 'required-field' : 'invalid-value', message, at)]
      }
      const expected = issue.errors.flatMap((b) => b.filter((i) => i.code === 'invalid_type').map((i) => (i as { expected: string }).expected))
      if (value === undefined) return [make('required-field', 'is required')]
      return [make('invalid-value', `expected ${[...new Set(expected)].map(article).join(' or ')}, got ${shown(value)}`)]
    }
    case 'too_small':
      return [make('invalid-value', isOwnMessage(issue.message) ? issue.message : tooSmall(issue))]
    case 'too_big':
      return [make('invalid-value', isOwnMessage(issue.message) ? issue.message : `must be at most ${String(issue.maximum)}${issue.origin === 'array' ? ' items' : ''}`)]
    case 'invalid_format':
      if (isOwnMessage(issue.message)) return [make('invalid-value', `${issue.message}, got ${shown(value)}`)]
      return [make('invalid-value', `expected ${issue.format === 'url' ? 'a URL' : `a ${issue.format}`}, got ${shown(value)}`)]
    default:
      return [make('invalid-value', issue.message)]
  }
}

function tooSmall(issue: Extract<Issue, { code: 'too_small' }>): string {
  const min = Number(issue.minimum)
  if (issue.origin === 'array') return `needs at least ${min} item${min === 1 ? '' : 's'}`
  if (issue.origin === 'string') return min === 1 ? 'must not be empty' : `needs at least ${min} characters`
  return issue.inclusive === false ? `must be greater than ${min}` : `must be at least ${min}`
}

// zod's own messages start with these words; ours (given with `error:`) are already in the user's words.
function isOwnMessage(message: string): boolean {
  return !/^(Invalid|Too small|Too big|Unrecognized|Expected)/.test(message)
}

// YAML words for JSON types: users write lists and mappings.
const TYPE_WORDS: Record<string, string> = { array: 'a list', object: 'a mapping', record: 'a mapping', int: 'a whole number', nan: 'a number' }

function article(type: string): string {
  return TYPE_WORDS[type] ?? (/^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`)
}

/** "'abc'", "a number (5)", "a list", "a mapping", "null" */
/** Fields whose values may be secrets: keys[].key/hash, apiKey, apiKeys[], tokens, JWT secrets, URLs with credentials, upstream header values. */
const SECRET_FIELDS = new Set(['key', 'hash', 'apiKey', 'token', 'secret', 'url', 'publicKey'])

export function isSecretPath(path: SpecPath): boolean {
  const last = path[path.length - 1]
  if (typeof last === 'string' && SECRET_FIELDS.has(last)) return true
  if (path.includes('apiKeys')) return true
  const i = path.indexOf('headers')
  return i >= 0 && i < path.length - 1
}

export function describe(v: unknown): string {
  if (v === undefined) return 'nothing'
  if (v === null) return 'null'
  if (typeof v === 'string') return `'${v.length > 40 ? `${v.slice(0, 40)}...` : v}'`
  if (typeof v === 'number' || typeof v === 'boolean') return `${typeof v} ${String(v)}`
  if (Array.isArray(v)) return 'a list'
  if (typeof v === 'object') return 'a mapping'
  return typeof v
}

export function valueAt(raw: unknown, path: SpecPath): unknown {
  let v = raw
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined
    v = (v as Record<string | number, unknown>)[seg]
  }
  return v
}

// Walking zod's definitions, only to suggest field names; an unknown wrapper just ends the walk.
type Def = { type: string; shape?: Record<string, z.ZodType>; element?: z.ZodType; innerType?: z.ZodType; in?: z.ZodType; options?: z.ZodType[]; discriminator?: string }
const defOf = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def

function unwrap(s: z.ZodType): z.ZodType {
  let cur = s
  for (let i = 0; i < 20; i++) {
    const d = defOf(cur)
    if (d.innerType) cur = d.innerType
    else if (d.type === 'pipe' && d.in) cur = d.in
    else return cur
  }
  return cur
}

function objectsAt(schema: z.ZodType, path: SpecPath, raw: unknown): z.ZodType[] {
  let nodes = [unwrap(schema)]
  for (let i = 0; i <= path.length; i++) {
    nodes = nodes.flatMap((n) => {
      const d = defOf(n)
      return d.type === 'union' && d.options ? d.options.map(unwrap) : [n]
    })
    if (i === path.length) break
    const seg = path[i] as string | number
    nodes = nodes.flatMap((n) => {
      const d = defOf(n)
      if (d.type === 'array' && d.element) return [unwrap(d.element)]
      if (d.type === 'object' && d.shape && typeof seg === 'string' && d.shape[seg]) return [unwrap(d.shape[seg])]
      return []
    })
  }
  const discriminant = valueAt(raw, [...path, 'type'])
  const matching = nodes.filter((n) => {
    const type = defOf(n).shape?.type
    return !type || discriminant === undefined || (defOf(type) as { values?: unknown[] }).values?.includes(discriminant) !== false
  })
  return matching.length > 0 ? matching : nodes
}

function knownKeys(schema: z.ZodType, path: SpecPath, raw: unknown): string[] {
  return [...new Set(objectsAt(schema, path, raw).flatMap((n) => Object.keys(defOf(n).shape ?? {})))]
}

function discriminatorValues(schema: z.ZodType, path: SpecPath): string[] {
  return objectsAt(schema, path, undefined).flatMap((n) => {
    const t = defOf(n).shape?.type
    return t ? ((defOf(t) as { values?: unknown[] }).values ?? []).map(String) : []
  })
}
