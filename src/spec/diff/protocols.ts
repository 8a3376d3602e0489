/** Semantic diff of providers[].grpc / .graphql (issue 12): each changed setting, risky (the upstream call changes). */
import type { ProviderSpec } from '../schema.js'
import type { ChangeList } from './change-list.js'

const MAX_SHOWN = 60
const show = (v: unknown): string | undefined => {
  if (v === undefined) return undefined
  const s = typeof v === 'string' ? v.replace(/\s+/g, ' ').trim() : JSON.stringify(v)
  return s.length > MAX_SHOWN ? `${s.slice(0, MAX_SHOWN - 1)}…` : s
}

export function diffProtocols(c: ChangeList, path: string, a: ProviderSpec, b: ProviderSpec): void {
  for (const key of ['grpc', 'graphql'] as const) {
    const x = (a[key] ?? {}) as Record<string, unknown>
    const y = (b[key] ?? {}) as Record<string, unknown>
    for (const f of new Set([...Object.keys(x), ...Object.keys(y)])) {
      const before = JSON.stringify(x[f])
      const after = JSON.stringify(y[f])
      if (before === after) continue
      const kind = x[f] === undefined ? 'added' : y[f] === undefined ? 'removed' : 'changed'
      c.add({ path: `${path}.${key}.${f}`, kind, before: show(x[f]), after: show(y[f]), class: 'risky', note: `${key} upstream call changed: requests or answers are mapped differently` })
    }
  }
}
