/** Globs for model names and key scopes ("gpt-*", "claude-?"), compiled once into a matcher. */

/**
 * Matchers are pure, so equal pattern lists share one: 10,000 keys scoped to the same `["gpt-*"]` compile one RegExp,
 * not 10,000 (a reload of such a spec spent most of its compile time here). Bounded: cleared when it grows large.
 */
const MEMO = new Map<string, (name: string) => boolean>()
const MEMO_MAX = 4096

/** A matcher over names. Exact names are a Set lookup; only patterns with wildcards become one combined RegExp. */
export function compileGlobs(patterns: readonly string[]): (name: string) => boolean {
  const id = patterns.join('\n')
  let m = MEMO.get(id)
  if (m === undefined) {
    if (MEMO.size >= MEMO_MAX) MEMO.clear()
    MEMO.set(id, (m = buildMatcher(patterns)))
  }
  return m
}

function buildMatcher(patterns: readonly string[]): (name: string) => boolean {
  const exact = new Set<string>()
  const wild: string[] = []
  for (const p of patterns) {
    if (p === '*') return () => true
    if (/[*?]/.test(p)) wild.push(globToRegexSource(p))
    else exact.add(p)
  }
  if (wild.length === 0) return (name) => exact.has(name)
  const re = new RegExp(`^(?:${wild.join('|')})$`)
  return (name) => exact.has(name) || re.test(name)
}

export function isGlob(pattern: string): boolean {
  return /[*?]/.test(pattern)
}

function globToRegexSource(p: string): string {
  let out = ''
  for (const ch of p) {
    if (ch === '*') out += '.*'
    else if (ch === '?') out += '.'
    else out += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&')
  }
  return out
}
