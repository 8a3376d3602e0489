/** Spec problems as values (STYLE §2.6): what load and lint return, never throw (SPEC §2 lint, §3). */

export interface SpecProblem {
  /** The file as the user named it (or "<default>" / "<text>"); line and col are 1-based. */
  file: string
  line: number
  col: number
  /** Kebab-case rule id: a lint rule (lint/<id>.ts) or a loader check such as yaml-syntax, unknown-field. */
  rule: string
  severity: 'error' | 'warning'
  message: string
}

/** A position in a spec document: a path of object keys and array indexes, e.g. ['models', 2, 'targets', 0]. */
export type SpecPath = readonly (string | number)[]

/** Finds the line and column of a path in the source; `at: 'key'` points at the field name rather than its value. */
export type Locator = (path: SpecPath, at?: 'key' | 'value') => { line: number; col: number }

/** A locator for sources without positions (JS/TS configs, package.json fields parsed by others). */
export const locateNowhere: Locator = () => ({ line: 1, col: 1 })

/** "models[2].targets[0].provider" */
export function formatPath(path: SpecPath): string {
  let out = ''
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`
    else out += out === '' ? seg : `.${seg}`
  }
  return out
}

/** Orders problems the way editors and ESLint list them: by line, then column. */
export function sortProblems(problems: SpecProblem[]): SpecProblem[] {
  return problems.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.col - b.col)
}

export function hasErrors(problems: readonly SpecProblem[]): boolean {
  return problems.some((p) => p.severity === 'error')
}

/** "did you mean 'openai'?" for a typo within edit distance ~1/3 of its length (at least 1, at most 3). */
export function suggest(word: string, candidates: Iterable<string>): string {
  let best: string | undefined
  let bestDistance = Math.min(3, Math.max(1, Math.floor(word.length / 3)))
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase())
    if (d <= bestDistance && c !== word) {
      best = c
      bestDistance = d - 1e-9
    }
  }
  return best === undefined ? '' : ` (did you mean '${best}'?)`
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 3) return 99
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i)
  let before = prev
  for (let i = 1; i <= a.length; i++) {
    const cur = [i]
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      cur[j] = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost)
      // A swapped pair of letters ("prot" for "port") counts as one typo.
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) cur[j] = Math.min(cur[j] ?? 99, (before[j - 2] ?? 0) + 1)
    }
    before = prev
    prev = cur
  }
  return prev[b.length] ?? 99
}
