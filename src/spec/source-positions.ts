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
