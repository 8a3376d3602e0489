/** The row collector the section differs share: equality that sees through secrets, display text that never shows them. */
import { createHash } from 'node:crypto'
import { formatDuration } from '../../core/duration.js'
import { Secret } from '../../core/secret.js'
import type { ChangeClass, ChangeKind, DiffRow } from './types.js'
import { redactUrl } from './url.js'

/** How a number is shown: milliseconds as "1.5s", bytes as "4mb". */
export type Unit = 'ms' | 'bytes' | 'plain'

const REDACTED = '[redacted]'

/** Comparison text only, never printed: secrets become a digest so a rotation is seen without holding the value. */
function canonical(v: unknown): unknown {
  if (v instanceof Secret) return `secret:${createHash('sha256').update(v.reveal()).digest('hex')}`
  if (Array.isArray(v)) return v.map(canonical)
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {}
    for (const k of Object.keys(v).sort()) {
      const item = (v as Record<string, unknown>)[k]
      if (item !== undefined) out[k] = canonical(item)
    }
    return out
  }
  return v
}

/** A comparison key for a whole value (secrets digested); for matching, never for display. */
export function canonicalText(v: unknown): string {
  return JSON.stringify(canonical(v)) ?? 'undefined'
}

export function isSame(a: unknown, b: unknown): boolean {
  return a === b || canonicalText(a) === canonicalText(b)
}

function formatBytes(n: number): string {
  for (const [unit, size] of [['gb', 1024 ** 3], ['mb', 1024 ** 2], ['kb', 1024]] as const) {
    if (n >= size) return `${Math.round((n / size) * 100) / 100}${unit}`
  }
  return `${n}b`
}

/** JSON.stringify replacer for display: header values hidden (they carry credentials), URL credentials hidden. */
function displayReplacer(key: string, v: unknown): unknown {
  if (typeof v === 'string') return redactUrl(v)
  if (key === 'headers' && v !== null && typeof v === 'object' && !Array.isArray(v)) {
    return Object.fromEntries(Object.keys(v).map((h) => [h, REDACTED]))
  }
  return v
}

/**
 * Display text for a spec value; secrets are "[redacted]" however deeply they sit, and so are the credentials inside
 * URLs (userinfo password, key/token query parameters) and the values of any nested `headers` map.
 */
export function formatValue(v: unknown, unit: Unit = 'plain'): string | undefined {
  if (v === undefined) return undefined
  if (v instanceof Secret) return REDACTED
  if (typeof v === 'number') return unit === 'ms' ? formatDuration(v) : unit === 'bytes' ? formatBytes(v) : String(v)
  if (typeof v === 'string') return redactUrl(v)
  if (Array.isArray(v)) return v.length === 0 ? '[]' : v.map((x) => formatValue(x, unit) ?? '-').join(', ')
  return JSON.stringify(v, displayReplacer) // Secret.toJSON() keeps nested secrets out
}

type Judge<T> = ChangeClass | ((a: T | undefined, b: T | undefined) => ChangeClass)
type Say<T> = string | ((a: T | undefined, b: T | undefined) => string)

export interface ValueOptions<T> {
  class: Judge<T>
  note: Say<T>
  unit?: Unit
  restart?: boolean
}

export interface BoundOptions {
  what: string
  tightened: ChangeClass
  loosened: ChangeClass
  unit?: Unit
  restart?: boolean
}

/** How one field of a settings object is judged: a plain value, or a ceiling (absent = unlimited). */
export type FieldRule<T> = ValueOptions<T> | { bound: BoundOptions } | { hidden: { class: ChangeClass; note: string } }

export type FieldRules<T> = { [K in keyof T]?: FieldRule<T[K]> }

export class ChangeList {
  readonly rows: DiffRow[] = []

  add(row: Omit<DiffRow, 'needsRestart'> & { needsRestart?: boolean }): void {
    // Built in one fixed key order so --format json is byte-stable: path, kind, before, after, class, needsRestart, note.
    const out: DiffRow = { path: row.path, kind: row.kind } as DiffRow
    if (row.before !== undefined) out.before = row.before
    if (row.after !== undefined) out.after = row.after
    out.class = row.class
    out.needsRestart = row.needsRestart ?? false
    out.note = row.note
    this.rows.push(out)
  }

  /** Any value: nothing when equal; added / removed / changed otherwise. */
  value<T>(path: string, a: T | undefined, b: T | undefined, o: ValueOptions<T>): void {
    if (isSame(a, b)) return
    const kind: ChangeKind = a === undefined ? 'added' : b === undefined ? 'removed' : 'changed'
    const before = formatValue(a, o.unit)
    let after = formatValue(b, o.unit)
    // Only a hidden part differs (a URL's password or key): the row must still show that something changed.
    if (kind === 'changed' && after === before) after = `${after} (redacted part changed)`
    this.add({
      path,
      kind,
      before,
      after,
      class: typeof o.class === 'function' ? o.class(a, b) : o.class,
      needsRestart: o.restart ?? false,
      note: typeof o.note === 'function' ? o.note(a, b) : o.note,
    })
  }

  /**
   * An optional settings object: one row when it appears or disappears, else one row per changed field.
   * Fields without a rule count as risky, so a field added to the schema later is never silently "safe".
   */
  fields<T extends object>(
    path: string,
    a: T | undefined,
    b: T | undefined,
    o: { added?: { class: ChangeClass; note: string }; removed?: { class: ChangeClass; note: string }; rules: FieldRules<T> },
  ): void {
    if (isSame(a, b)) return
    if (a === undefined || b === undefined) {
      const whole = a === undefined ? o.added : o.removed
      this.value(path, a, b, whole ?? { class: 'risky', note: a === undefined ? 'added' : 'removed' })
      return
    }
    const names = new Set([...Object.keys(a), ...Object.keys(b)]) as Set<keyof T & string>
    for (const k of names) {
      const rule = o.rules[k] as FieldRule<unknown> | undefined
      const x = a[k] as unknown
      const y = b[k] as unknown
      if (rule !== undefined && 'hidden' in rule) this.secret(`${path}.${k}`, x, y, rule.hidden)
      else if (rule !== undefined && 'bound' in rule) this.bound(`${path}.${k}`, x as number | undefined, y as number | undefined, rule.bound)
      else this.value(`${path}.${k}`, x, y, rule ?? { class: 'risky', note: `${k} changed` })
    }
  }

  /** A ceiling where absent means unlimited: lowering or adding it tightens, raising or removing it loosens. */
  bound(path: string, a: number | undefined, b: number | undefined, o: BoundOptions): void {
    const tighter = isTightened(a, b)
    this.value(path, a, b, {
      unit: o.unit,
      restart: o.restart,
      class: tighter ? o.tightened : o.loosened,
      note: `${o.what} ${tighter ? (a === undefined ? 'now limited' : 'tightened') : b === undefined ? 'no longer limited' : 'loosened'}`,
    })
  }

  /** A secret (or any value too long or sensitive to print): only whether it was set, removed or changed. */
  secret(path: string, a: unknown, b: unknown, o: { class: ChangeClass; note: string }): void {
    if (isSame(a, b)) return
    const kind: ChangeKind = a === undefined ? 'added' : b === undefined ? 'removed' : 'changed'
    const after = b === undefined ? undefined : a === undefined ? REDACTED : 'changed'
    this.add({ path, kind, before: a === undefined ? undefined : REDACTED, after, class: o.class, note: o.note })
  }

  /** Collections matched by identity (name, id), never by array position. */
  keyed<T>(
    base: string,
    olds: readonly T[],
    news: readonly T[],
    id: (t: T) => string,
    on: { added(path: string, t: T): void; removed(path: string, t: T): void; both(path: string, a: T, b: T): void },
  ): void {
    const oldById = new Map(olds.map((t) => [id(t), t]))
    const newById = new Map(news.map((t) => [id(t), t]))
    for (const [k, a] of oldById) {
      const b = newById.get(k)
      if (b === undefined) on.removed(`${base}[${k}]`, a)
      else on.both(`${base}[${k}]`, a, b)
    }
    for (const [k, b] of newById) if (!oldById.has(k)) on.added(`${base}[${k}]`, b)
  }
}

/** Lower ceiling, or a ceiling where there was none. */
export function isTightened(a: number | undefined, b: number | undefined): boolean {
  return b !== undefined && (a === undefined || b < a)
}
