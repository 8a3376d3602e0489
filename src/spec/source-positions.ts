/** Line and column of any spec path, from the `yaml` package's node ranges (works for JSON too: it is YAML). */
import { LineCounter, isMap, isPair, isScalar, isSeq, parseDocument, type Document, type Node } from 'yaml'
import type { Locator, SpecPath, SpecProblem } from './problems.js'

export interface ParsedSource {
  /** The document as plain data, or undefined when `problems` holds syntax errors. */
  raw: unknown
  locate: Locator
  problems: SpecProblem[]
}

/** Parses YAML or JSON text; syntax errors and duplicate keys come back as problems with positions. Never throws. */
export function parseSource(text: string, file: string, root: SpecPath = []): ParsedSource {
  const json = parseJsonText(text)
  if (json !== undefined) {
    let raw = json.value
    for (const seg of root) raw = raw !== null && typeof raw === 'object' ? (raw as Record<string, unknown>)[seg] : undefined
    return { raw, locate: lazyLocator(text, file, root), problems: [] }
  }
  return parseYamlSource(text, file, root)
}

/*
 * JSON text (what generators write; JSON is YAML) takes JSON.parse, which is ~50x faster than building the YAML
 * CST (2.5 s -> 40 ms for a spec with 10,000 keys). Positions are only needed to report problems, so the YAML
 * document is built the first time something asks for a position. Text that JSON.parse refuses, or that repeats a
 * key in an object (JSON.parse keeps the last one silently; the YAML path reports it), goes the YAML way.
 */
function parseJsonText(text: string): { value: unknown } | undefined {
  let i = 0
  while (i < text.length && isJsonSpace(text.charCodeAt(i))) i++
  if (text.charCodeAt(i) !== 0x7b /* { */) return undefined
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return undefined
  }
  return hasDuplicateKey(text, i) ? undefined : { value }
}

function isJsonSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09
}

/** For text JSON.parse accepted: does any object name a key twice? Strings are skipped with indexOf. */
function hasDuplicateKey(text: string, from: number): boolean {
  // One entry per open container: the keys seen so far for an object, null for an array.
  const open: Array<Set<string> | null> = []
  let expectKey = false
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 0x22 /* " */) {
      let end = text.indexOf('"', i + 1)
      while (isEscaped(text, end)) end = text.indexOf('"', end + 1)
      if (expectKey) {
        const inner = text.slice(i + 1, end)
        const key = inner.includes('\\') ? (JSON.parse(text.slice(i, end + 1)) as string) : inner
        const seen = open[open.length - 1]!
        if (seen.has(key)) return true
        seen.add(key)
        expectKey = false
      }
      i = end
    } else if (c === 0x7b /* { */) {
      open.push(new Set())
      expectKey = true
    } else if (c === 0x5b /* [ */) {
      open.push(null)
      expectKey = false
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      open.pop()
      expectKey = false
    } else if (c === 0x2c /* , */) {
      expectKey = open[open.length - 1] !== null
    }
  }
  return false
}

/** True when the quote at `at` is preceded by an odd number of backslashes. */
function isEscaped(text: string, at: number): boolean {
  let n = 0
  while (text.charCodeAt(at - 1 - n) === 0x5c /* \\ */) n++
  return n % 2 === 1
}

/**
 * Positions in JSON text without the YAML parser: on the first call, one pass records where every key and value
 * starts (~50x cheaper than the YAML document), then each lookup walks the path, the way offsetOf() walks YAML
 * nodes, so both give the same line:col. Falls back to the YAML document if indexing fails (say, nesting too deep).
 */
function lazyLocator(text: string, file: string, root: SpecPath): Locator {
  let locate: Locator | undefined
  return (path, where) => (locate ??= jsonLocator(text, file, root))(path, where)
}

function jsonLocator(text: string, file: string, root: SpecPath): Locator {
  let top: JsonNode
  try {
    top = indexJson(text)
  } catch {
    return parseYamlSource(text, file, root).locate
  }
  const lineStarts = [0]
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lineStarts.push(i + 1)
  return (path, where = 'value') => linePos(lineStarts, jsonOffsetOf(top, [...root, ...path], where))
}

/** Where a JSON value starts; `keys` for an object (first occurrence of each key), `items` for an array. */
interface JsonNode {
  readonly start: number
  readonly keys?: Map<string, { readonly key: number; readonly value: JsonNode }>
  readonly items?: JsonNode[]
}

/** Index text that JSON.parse accepted. Recursive: nesting deep enough to overflow the stack throws (caught above). */
function indexJson(text: string): JsonNode {
  let i = 0
  const space = (): void => {
    while (isJsonSpace(text.charCodeAt(i))) i++
  }
  const string = (): string => {
    const from = i
    let end = text.indexOf('"', i + 1)
    while (isEscaped(text, end)) end = text.indexOf('"', end + 1)
    i = end + 1
    const inner = text.slice(from + 1, end)
    return inner.includes('\\') ? (JSON.parse(text.slice(from, end + 1)) as string) : inner
  }
  const value = (): JsonNode => {
    space()
    const start = i
    const c = text.charCodeAt(i)
    if (c === 0x7b /* { */) {
      i++
      const keys = new Map<string, { key: number; value: JsonNode }>()
      space()
      if (text.charCodeAt(i) === 0x7d) {
        i++
        return { start, keys }
      }
      for (;;) {
        space()
        const key = i
        const name = string()
        space()
        i++ // :
        const v = value()
        if (!keys.has(name)) keys.set(name, { key, value: v })
        space()
        if (text.charCodeAt(i++) === 0x7d) return { start, keys }
      }
    }
    if (c === 0x5b /* [ */) {
      i++
      const items: JsonNode[] = []
      space()
      if (text.charCodeAt(i) === 0x5d) {
        i++
        return { start, items }
      }
      for (;;) {
        items.push(value())
        space()
        if (text.charCodeAt(i++) === 0x5d) return { start, items }
      }
    }
    if (c === 0x22) {
      string()
      return { start }
    }
    // A number, true, false or null: runs to the next delimiter.
    while (i < text.length && !isJsonDelimiter(text.charCodeAt(i))) i++
    return { start }
  }
  return value()
}

function isJsonDelimiter(c: number): boolean {
  return c === 0x2c || c === 0x7d || c === 0x5d || isJsonSpace(c)
}

/** offsetOf() for the JSON index: keys for collections or when asked, values otherwise; a missing field -> its parent. */
function jsonOffsetOf(top: JsonNode, path: SpecPath, where: 'key' | 'value'): number {
  let node: JsonNode = top
  let best = top.start
  for (let i = 0; i < path.length; i++) {
    const seg = path[i]!
    const last = i === path.length - 1
    if (node.keys) {
      const pair = node.keys.get(String(seg))
      if (!pair) return best
      if (last) return where === 'key' || pair.value.keys || pair.value.items ? pair.key : pair.value.start
      best = pair.key
      node = pair.value
    } else if (node.items && typeof seg === 'number') {
      const item = node.items[seg]
      if (!item) return best
      best = item.start
      node = item
    } else {
      return best
    }
  }
  return best
}

/** LineCounter.linePos() over `lineStarts` (0 and each offset after a newline): 1-based line and column. */
function linePos(lineStarts: readonly number[], offset: number): { line: number; col: number } {
  let low = 0
  let high = lineStarts.length
  while (low < high) {
    const mid = (low + high) >> 1
    if (lineStarts[mid]! < offset) low = mid + 1
    else high = mid
  }
  if (lineStarts[low] === offset) return { line: low + 1, col: 1 }
  return { line: Math.max(1, low), col: Math.max(1, offset - lineStarts[low - 1]! + 1) }
}

/** The YAML path: a document with node ranges (exported for the test that compares both locators). */
export function parseYamlSource(text: string, file: string, root: SpecPath): ParsedSource {
  const lines = new LineCounter()
  const at = (offset: number) => {
    const { line, col } = lines.linePos(offset)
    return { line: Math.max(1, line), col: Math.max(1, col) }
  }
  let doc: Document.Parsed
  try {
    doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, strict: true })
  } catch (e) {
    return { raw: undefined, locate: () => ({ line: 1, col: 1 }), problems: [problem(file, { line: 1, col: 1 }, 'yaml-syntax', errorText(e))] }
  }
  const locate: Locator = (path, where = 'value') => at(offsetOf(doc, [...root, ...path], where))
  const problems = doc.errors.map((e) => {
    const rule = e.code === 'DUPLICATE_KEY' ? 'duplicate-key' : 'yaml-syntax'
    const message =
      e.code === 'DUPLICATE_KEY'
        ? `duplicate key '${keyText(text, e.pos[0])}': each key may appear once in a mapping`
        : e.code === 'MULTIPLE_DOCS'
          ? 'a spec file holds one YAML document: remove this `---` separator and what follows, or split the file'
          : firstLine(e.message)
    return problem(file, at(e.pos[0]), rule, message)
  })
  if (problems.length > 0) return { raw: undefined, locate, problems }
  try {
    // maxAliasCount bounds "billion laughs" alias expansion.
    let raw: unknown = doc.toJS({ maxAliasCount: 100 })
    for (const seg of root) raw = raw !== null && typeof raw === 'object' ? (raw as Record<string, unknown>)[seg] : undefined
    return { raw, locate, problems: [] }
  } catch (e) {
    return { raw: undefined, locate, problems: [problem(file, { line: 1, col: 1 }, 'yaml-syntax', errorText(e))] }
  }
}

/** The source offset of the deepest node along `path` (a missing field points at its parent). */
function offsetOf(doc: Document.Parsed, path: SpecPath, where: 'key' | 'value'): number {
  let node: unknown = doc.contents
  let best = rangeStart(node) ?? 0
  for (let i = 0; i < path.length; i++) {
    const seg = path[i]
    const last = i === path.length - 1
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg))
      if (!pair) return best
      const keyStart = rangeStart(pair.key)
      const value = pair.value as Node | null
      // Point at the key for fields that are missing a value, are collections, or when asked for the key.
      const useKey = where === 'key' || value === null || isMap(value) || isSeq(value)
      if (last) return (useKey ? keyStart : rangeStart(value)) ?? keyStart ?? best
      best = keyStart ?? best
      node = value
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg]
      const start = rangeStart(item)
      if (start === undefined) return best
      best = start
      node = item
    } else {
      return best
    }
  }
  return best
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as { range?: [number, number, number] } | null)?.range
  return range ? range[0] : undefined
}

function problem(file: string, pos: { line: number; col: number }, rule: string, message: string): SpecProblem {
  return { file, line: pos.line, col: pos.col, rule, severity: 'error', message }
}

/** The key written at `offset` ("strategy" in `strategy: x`), quotes removed. */
function keyText(text: string, offset: number): string {
  const m = /^\s*("[^"]*"|'[^']*'|[^:\n]*)/.exec(text.slice(offset, offset + 200))
  return (m?.[1] ?? '').replace(/^["']|["']$/g, '').trim()
}

function firstLine(message: string): string {
  return message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '') ?? message
}

function errorText(e: unknown): string {
  return firstLine(e instanceof Error ? e.message : String(e))
}
