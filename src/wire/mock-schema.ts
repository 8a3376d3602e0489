/**
 * Deterministic values that validate against a JSON Schema (SPEC §2 `mock`: tool call arguments and json_schema
 * answers). Covers what tool and structured-output schemas use: type (and type lists), enum, const, properties,
 * required, additionalProperties, items/prefixItems, min/max (Items, Length, Properties, imum, exclusive*), multipleOf,
 * uniqueItems, common formats, local $ref ($defs/definitions, recursion bounded), allOf (merged), anyOf/oneOf (the
 * first branch that is not null). `pattern` is met when one of a few plain candidates matches it, else ignored.
 */
import { isObject } from './openai.js'
import { pickWord } from './mock-text.js'

type Obj = Record<string, unknown>
type Rnd = () => number

/** Beyond this nesting only required properties and minItems are generated; beyond MAX_DEPTH, null. */
const FULL_DEPTH = 4
const MAX_DEPTH = 24
const FORMATS: Record<string, string> = {
  'date-time': '2025-01-01T12:00:00Z',
  date: '2025-01-01',
  time: '12:00:00Z',
  duration: 'P1D',
  email: 'mock@example.com',
  'idn-email': 'mock@example.com',
  hostname: 'example.com',
  'idn-hostname': 'example.com',
  ipv4: '192.0.2.1',
  ipv6: '2001:db8::1',
  uri: 'https://example.com/mock',
  'uri-reference': '/mock',
  iri: 'https://example.com/mock',
  url: 'https://example.com/mock',
}
const PATTERN_CANDIDATES = ['mock', 'MOCK', 'Mock', '42', 'a1', 'A1', 'abc-123', 'mock_value', 'x', '0']

/** A value valid against `schema`, the same for the same schema and seed. */
export function sampleSchema(schema: unknown, rnd: Rnd): unknown {
  return sample(schema, isObject(schema) ? schema : {}, 0, rnd)
}

function resolve(ref: string, root: Obj): unknown {
  if (!ref.startsWith('#')) return {}
  let cur: unknown = root
  for (const raw of ref.slice(1).split('/')) {
    if (raw === '') continue
    const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~')
    cur = isObject(cur) ? cur[key] : undefined
  }
  return cur ?? {}
}

/** allOf parts merged into one schema (properties and required unioned; the last word wins elsewhere). */
function merged(s: Obj, root: Obj): Obj {
  const out: Obj = { ...s }
  delete out.allOf
  for (const partRaw of s.allOf as unknown[]) {
    const part = isObject(partRaw) && typeof partRaw.$ref === 'string' ? resolve(partRaw.$ref, root) : partRaw
    if (!isObject(part)) continue
    const p = isObject(part.allOf) || Array.isArray(part.allOf) ? merged(part, root) : part
    for (const [k, v] of Object.entries(p)) {
      if (k === 'properties' && isObject(v)) out.properties = { ...(isObject(out.properties) ? out.properties : {}), ...v }
      else if (k === 'required' && Array.isArray(v)) out.required = [...new Set([...(Array.isArray(out.required) ? out.required : []), ...v])]
      else out[k] = v
    }
  }
  return out
}

function sample(schemaIn: unknown, root: Obj, depth: number, rnd: Rnd): unknown {
  if (depth > MAX_DEPTH) return null
  if (schemaIn === true || !isObject(schemaIn)) return pickWord(rnd)
  let s = schemaIn
  if (typeof s.$ref === 'string') return sample(resolve(s.$ref, root), root, depth + 1, rnd)
  if (Array.isArray(s.allOf)) s = merged(s, root)
  if ('const' in s) return s.const
  if (Array.isArray(s.enum) && s.enum.length > 0) return s.enum[Math.floor(rnd() * s.enum.length)]
  const branches = Array.isArray(s.anyOf) ? s.anyOf : Array.isArray(s.oneOf) ? s.oneOf : undefined
  if (branches && branches.length > 0) {
    const pick = branches.find((b) => !(isObject(b) && b.type === 'null')) ?? branches[0]
    return sample(isObject(pick) ? { ...s, anyOf: undefined, oneOf: undefined, ...pick } : pick, root, depth + 1, rnd)
  }
  const type = typeOf(s)
  switch (type) {
    case 'null':
      return null
    case 'boolean':
      return rnd() < 0.5
    case 'integer':
    case 'number':
      return numberFor(s, type === 'integer', rnd)
    case 'array':
      return arrayFor(s, root, depth, rnd)
    case 'object':
      return objectFor(s, root, depth, rnd)
    default:
      return stringFor(s, rnd)
  }
}

function typeOf(s: Obj): string {
  const t = s.type
  if (typeof t === 'string') return t
  if (Array.isArray(t)) return (t.find((x) => x !== 'null') ?? t[0] ?? 'string') as string
  if (isObject(s.properties) || Array.isArray(s.required)) return 'object'
  if (s.items !== undefined || Array.isArray(s.prefixItems)) return 'array'
  if (typeof s.minimum === 'number' || typeof s.maximum === 'number') return 'number'
  return 'string'
}

const n = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined)

function numberFor(s: Obj, integer: boolean, rnd: Rnd): number {
  const step = n(s.multipleOf) ?? (integer ? 1 : 0.01)
  // the exclusive bounds: draft 2020-12 numbers, or draft-4 booleans beside minimum/maximum
  const exMin = n(s.exclusiveMinimum) ?? (s.exclusiveMinimum === true ? n(s.minimum) : undefined)
  const exMax = n(s.exclusiveMaximum) ?? (s.exclusiveMaximum === true ? n(s.maximum) : undefined)
  const min = exMin !== undefined ? exMin + step : n(s.minimum)
  const max = exMax !== undefined ? exMax - step : n(s.maximum)
  let lo = min ?? (max === undefined ? 0 : Math.min(0, max - 100))
  let hi = max ?? lo + 100
  if (hi < lo) hi = lo
  lo = Math.ceil(lo / step) * step
  hi = Math.floor(hi / step) * step
  if (hi < lo) return lo
  const k = Math.floor(rnd() * (Math.floor((hi - lo) / step) + 1))
  const v = lo + k * step
  // a step like 0.01 leaves binary noise (0.1 + 0.2): round to the step's decimals
  const decimals = Math.min(12, (String(step).split('.')[1] ?? '').length)
  return integer ? Math.round(v) : Number(v.toFixed(decimals))
}

function stringFor(s: Obj, rnd: Rnd): string {
  const min = n(s.minLength) ?? 0
  const max = n(s.maxLength) ?? Infinity
  let v = typeof s.format === 'string' && FORMATS[s.format] !== undefined ? FORMATS[s.format]! : s.format === 'uuid' ? uuid(rnd) : pickWord(rnd)
  if (typeof s.pattern === 'string') {
    try {
      const re = new RegExp(s.pattern, 'u') // the mock only: schemas are per request, so is this regex
      if (!re.test(v)) v = PATTERN_CANDIDATES.find((c) => re.test(c)) ?? v
    } catch {
      // a pattern JavaScript cannot read: ignored
    }
  }
  while (v.length < min) v += ` ${pickWord(rnd)}`
  return v.length > max ? v.slice(0, max) : v
}

function uuid(rnd: Rnd): string {
  const hex = (k: number): string => Array.from({ length: k }, () => Math.floor(rnd() * 16).toString(16)).join('')
  return `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`
}

function arrayFor(s: Obj, root: Obj, depth: number, rnd: Rnd): unknown[] {
  const min = n(s.minItems) ?? 0
  const max = n(s.maxItems) ?? Infinity
  const prefix = Array.isArray(s.prefixItems) ? s.prefixItems : []
  const want = Math.min(max, Math.max(min, prefix.length, depth < FULL_DEPTH ? Math.min(2, max) : 0))
  const out: unknown[] = []
  const seen = new Set<string>()
  // uniqueItems: a repeat is drawn again a bounded number of times (an enum of two cannot give three distinct items)
  for (let tries = 0; out.length < want && tries < want * 8 + 8; tries++) {
    const i = out.length
    const v = sample(i < prefix.length ? prefix[i] : s.items === false ? {} : s.items, root, depth + 1, rnd)
    if (s.uniqueItems === true) {
      const k = JSON.stringify(v)
      if (seen.has(k)) continue
      seen.add(k)
    }
    out.push(v)
  }
  return out
}

function objectFor(s: Obj, root: Obj, depth: number, rnd: Rnd): Obj {
  const props = isObject(s.properties) ? s.properties : {}
  const required = new Set(Array.isArray(s.required) ? (s.required as unknown[]).filter((k): k is string => typeof k === 'string') : [])
  const out: Obj = {}
  for (const [k, sub] of Object.entries(props)) if (required.has(k) || depth < FULL_DEPTH) out[k] = sample(sub, root, depth + 1, rnd)
  const extra = s.additionalProperties === false ? undefined : isObject(s.additionalProperties) ? s.additionalProperties : {}
  for (const k of required) if (!(k in out)) out[k] = sample(extra ?? {}, root, depth + 1, rnd)
  const maxProps = n(s.maxProperties)
  if (maxProps !== undefined) for (const k of Object.keys(out)) if (Object.keys(out).length > maxProps && !required.has(k)) delete out[k]
  for (let i = 1; extra !== undefined && Object.keys(out).length < (n(s.minProperties) ?? 0) && i < 1000; i++) {
    if (!(`key${i}` in out)) out[`key${i}`] = sample(extra, root, depth + 1, rnd)
  }
  return out
}
