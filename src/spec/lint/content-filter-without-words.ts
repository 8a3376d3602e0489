/** Lint rule content-filter-without-words: a content-filter has words or a wordsFile (SPEC §3 rules). */
import type { Finding, LintRule } from './types.js'

export const contentFilterWithoutWords: LintRule = {
  id: 'content-filter-without-words',
  severity: 'error',
  description: 'a content-filter rule has neither words nor wordsFile, so it filters nothing',
  check({ spec }) {
    const out: Finding[] = []
    spec.rules.forEach((r, i) => {
      if (r.type === 'content-filter' && (r.words ?? []).length === 0 && r.wordsFile === undefined)
        out.push({ path: ['rules', i, 'type'], message: 'content-filter needs words or wordsFile' })
    })
    return out
  },
}
