/** Semantic diff of `rules` (SPEC §3): they run in order, so they are matched by content, then by type. */
import { basename } from 'node:path'
import type { RuleSpec } from '../schema.js'
import { ChangeList, canonicalText, formatValue } from './change-list.js'
import type { ChangeClass } from './types.js'

type Of<T extends RuleSpec['type']> = Extract<RuleSpec, { type: T }>

function clip(text: string, max = 60): string {
  const flat = text.replace(/\s+/g, ' ').trim()
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat
}

function describe(r: RuleSpec): string {
  switch (r.type) {
    case 'content-filter':
      return `${r.action} ${r.words ? `${r.words.length} words` : ''}${r.wordsFile ? ` ${r.wordsFile}` : ''} in ${r.scope.join('+')}`.replace(/\s+/g, ' ')
    case 'system-prompt':
      return `${r.mode} "${clip(r.text)}"`
    case 'deny':
      return `when ${JSON.stringify(r.when)}`
    case 'plugin':
      return r.name ?? basename(r.module)
  }
}

function addedClass(r: RuleSpec): [ChangeClass, string] {
  if (r.type === 'deny') return ['breaking', 'new deny rule: matching requests are now refused']
  if (r.type === 'plugin') return ['risky', 'new plugin: its code now sees (and may change or refuse) requests and answers']
  if (r.type === 'content-filter')
    return r.action === 'block' ? ['breaking', 'new content filter: matching requests now get 400 content_filtered'] : ['risky', 'new content filter: matching text is now masked']
  return ['risky', 'new system prompt: model answers may change']
}

/** Longest common subsequence of equal rules: those kept in place. */
function keptPairs(a: string[], b: string[]): Array<[number, number]> {
  const n = a.length
  const m = b.length
  const len: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0))
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--) len[i]![j] = a[i] === b[j] ? len[i + 1]![j + 1]! + 1 : Math.max(len[i + 1]![j]!, len[i]![j + 1]!)
  const out: Array<[number, number]> = []
  for (let i = 0, j = 0; i < n && j < m; ) {
    if (a[i] === b[j]) out.push([i++, j++])
    else if (len[i + 1]![j]! >= len[i]![j + 1]!) i++
    else j++
  }
  return out
}

export function diffRules(c: ChangeList, a: readonly RuleSpec[], b: readonly RuleSpec[]): void {
  const fa = a.map(canonicalText)
  const fb = b.map(canonicalText)
  const kept = keptPairs(fa, fb)
  let olds = a.map((_, i) => i).filter((i) => !kept.some(([x]) => x === i))
  let news = b.map((_, j) => j).filter((j) => !kept.some(([, y]) => y === j))
  // A rule that only moved: one "order changed" row instead of a remove plus an add.
  const moved: number[] = []
  const to: number[] = []
  for (const i of olds) {
    const j = news.find((k) => fb[k] === fa[i] && !to.includes(k))
    if (j === undefined) continue
    moved.push(i)
    to.push(j)
  }
  if (moved.length > 0) {
    c.add({
      path: 'rules',
      kind: 'changed',
      before: moved.map((i) => `#${i} ${a[i]!.type}`).join(', '),
      after: to.map((j) => `#${j} ${b[j]!.type}`).join(', '),
      class: 'risky',
      note: 'rules now run in a different order',
    })
    news = news.filter((k) => !to.includes(k))
    olds = olds.filter((i) => !moved.includes(i))
  }
  // Left over on both sides with the same type, in order: an edited rule, diffed field by field.
  for (const i of [...olds]) {
    // a plugin pairs with the same module first (two plugins edited in one change stay apart)
    const x = a[i]!
    const j = (x.type === 'plugin' ? news.find((k) => { const y = b[k]!; return y.type === 'plugin' && y.module === x.module }) : undefined) ?? news.find((k) => b[k]!.type === x.type)
    if (j === undefined) continue
    olds = olds.filter((k) => k !== i)
    news = news.filter((k) => k !== j)
    diffRule(c, `rules[${j}:${b[j]!.type}]`, a[i]!, b[j]!)
  }
  for (const i of olds) {
    const r = a[i]!
    c.add({ path: `rules[${i}:${r.type}]`, kind: 'removed', before: describe(r), class: 'risky', note: r.type === 'system-prompt' ? 'system prompt removed: model answers may change' : 'policy relaxed: requests it refused now pass' })
  }
  for (const j of news) {
    const r = b[j]!
    const [cls, note] = addedClass(r)
    c.add({ path: `rules[${j}:${r.type}]`, kind: 'added', after: describe(r), class: cls, note })
  }
}

function diffRule(c: ChangeList, path: string, a: RuleSpec, b: RuleSpec): void {
  if (a.type === 'content-filter') return diffFilter(c, path, a, b as Of<'content-filter'>)
  if (a.type === 'system-prompt') {
    const y = b as Of<'system-prompt'>
    c.value(`${path}.models`, a.models, y.models, { class: 'risky', note: 'applies to other models' })
    c.value(`${path}.text`, clip(a.text), clip(y.text), { class: 'risky', note: 'system prompt changed: model answers may change' })
    c.value(`${path}.mode`, a.mode, y.mode, { class: 'risky', note: 'system prompt mode changed' })
    return
  }
  if (a.type === 'plugin') {
    const y = b as Of<'plugin'>
    if (a.module !== y.module) c.add({ path: `${path}.module`, kind: 'changed', before: basename(a.module), after: basename(y.module), class: 'risky', note: 'another plugin module runs' })
    c.value(`${path}.name`, a.name, y.name, { class: 'safe', note: 'plugin renamed (its log lines and profile stage)' })
    // option values may hold what a plugin was given as a secret: which options changed, never their values
    for (const k of new Set([...Object.keys(a.options ?? {}), ...Object.keys(y.options ?? {})]))
      if (JSON.stringify(a.options?.[k]) !== JSON.stringify(y.options?.[k]))
        c.add({ path: `${path}.options.${k}`, kind: a.options?.[k] === undefined ? 'added' : y.options?.[k] === undefined ? 'removed' : 'changed', class: 'risky', note: 'plugin option changed (values are not shown)' })
    c.value(`${path}.models`, a.models, y.models, { class: 'risky', note: 'applies to other models' })
    return
  }
  const y = b as Of<'deny'>
  c.value(`${path}.when`, a.when, y.when, { class: 'breaking', note: 'denies different requests: some that passed are now refused' })
  c.value(`${path}.message`, a.message, y.message, { class: 'safe', note: 'deny message changed' })
}

function diffFilter(c: ChangeList, path: string, a: Of<'content-filter'>, b: Of<'content-filter'>): void {
  const x = a.words ?? []
  const y = b.words ?? []
  const added = y.filter((w) => !x.includes(w)).length
  const removed = x.filter((w) => !y.includes(w)).length
  if (added + removed > 0)
    c.add({
      path: `${path}.words`,
      kind: 'changed',
      before: `${x.length} words`,
      after: `${y.length} words`,
      class: added > 0 && b.action === 'block' ? 'breaking' : 'risky',
      note: `${added} added, ${removed} removed${added > 0 && b.action === 'block' ? ': more requests get 400 content_filtered' : ''}`,
    })
  c.value(`${path}.wordsFile`, a.wordsFile, b.wordsFile, { class: 'risky', note: 'word list file changed' })
  c.value(`${path}.action`, a.action, b.action, { class: (p, q) => (q === 'block' ? 'breaking' : 'risky'), note: (p, q) => (q === 'block' ? 'matches are now blocked (400)' : 'matches are now masked') })
  c.value(`${path}.scope`, a.scope, b.scope, { class: 'risky', note: 'filters a different direction' })
  c.value(`${path}.models`, a.models, b.models, { class: 'risky', note: 'applies to other models' })
}
