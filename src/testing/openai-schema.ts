/** Validates responses against ../shared/openai-schemas.json (OpenAI's OpenAPI component schemas): a small JSON Schema subset. */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { packageRoot } from '../core/package-root.js'

type Schema = Record<string, unknown>

export const OPENAI_SCHEMAS_FILE = join(packageRoot(), '..', 'shared', 'openai-schemas.json')

let schemas: Record<string, Schema> | undefined | null

/** The component schemas, or null when the file is absent (tests then skip with a reason). */
export function loadOpenAISchemas(): Record<string, Schema> | null {
  if (schemas !== undefined) return schemas
  if (!existsSync(OPENAI_SCHEMAS_FILE)) return (schemas = null)
  const doc = JSON.parse(readFileSync(OPENAI_SCHEMAS_FILE, 'utf8')) as { components: { schemas: Record<string, Schema> } }
  return (schemas = doc.components.schemas)
}

/** Problems found validating `value` against component `name`; empty when it conforms. */
export function validateOpenAI(name: string, value: unknown): string[] {
  const all = loadOpenAISchemas()
  if (!all) throw new Error(`${OPENAI_SCHEMAS_FILE} is missing`)
  const root = all[name]
  if (!root) throw new Error(`no schema named ${name}`)
  const problems: string[] = []
  check(root, value, '$', all, problems)
  return problems
}

function resolveRef(s: Schema, all: Record<string, Schema>): Schema {
  let cur = s
  while (typeof cur.$ref === 'string') cur = all[(cur.$ref as string).split('/').pop()!] ?? {}
  return cur
}

function typeOk(t: string, v: unknown): boolean {
  switch (t) {
    case 'null': return v === null
    case 'array': return Array.isArray(v)
    case 'object': return typeof v === 'object' && v !== null && !Array.isArray(v)
    case 'integer': return Number.isInteger(v)
    case 'number': return typeof v === 'number'
    default: return typeof v === t
  }
}

function check(schema: Schema, v: unknown, path: string, all: Record<string, Schema>, out: string[]): void {
  // `nullable` beside a `$ref` belongs to the referring schema: resolving the ref would drop it (QA F14).
  if (schema.nullable === true && v === null) return
  const s = resolveRef(schema, all)
  if (Array.isArray(s.allOf)) for (const sub of s.allOf as Schema[]) check(sub, v, path, all, out)
  for (const key of ['anyOf', 'oneOf'] as const) {
    const alts = s[key] as Schema[] | undefined
    if (Array.isArray(alts) && !alts.some((a) => { const o: string[] = []; check(a, v, path, all, o); return o.length === 0 }))
      out.push(`${path}: matches none of ${key}`)
  }
  if (s.nullable === true && v === null) return
  if (s.type !== undefined) {
    const types = Array.isArray(s.type) ? (s.type as string[]) : [s.type as string]
    if (!types.some((t) => typeOk(t, v))) return void out.push(`${path}: expected ${types.join('|')}, got ${JSON.stringify(v)?.slice(0, 60)}`)
  }
  if (Array.isArray(s.enum) && !(s.enum as unknown[]).includes(v)) out.push(`${path}: ${JSON.stringify(v)} not in enum`)
  if ('const' in s && s.const !== v) out.push(`${path}: expected const ${JSON.stringify(s.const)}`)
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
    const o = v as Record<string, unknown>
    for (const r of (s.required as string[] | undefined) ?? []) if (!(r in o)) out.push(`${path}.${r}: required`)
    const props = (s.properties as Record<string, Schema> | undefined) ?? {}
    for (const [k, sub] of Object.entries(props)) if (k in o) check(sub, o[k], `${path}.${k}`, all, out)
  }
  if (Array.isArray(v) && s.items) v.forEach((item, i) => check(s.items as Schema, item, `${path}[${i}]`, all, out))
}
