/** Lint rule fallback-cycle: following `fallback` never leads back to where it started (SPEC §3 models[].fallback). */
import type { Finding, LintRule } from './types.js'

export const fallbackCycle: LintRule = {
  id: 'fallback-cycle',
  severity: 'error',
  description: 'models fall back to each other in a loop',
  check({ spec }) {
    const edges = new Map(spec.models.map((m) => [m.name, m.fallback]))
    const out: Finding[] = []
    const reported = new Set<string>()
    spec.models.forEach((m, i) => {
      m.fallback.forEach((first, j) => {
        const cycle = findPath(first, m.name, edges)
        if (!cycle) return
        const loop = [m.name, ...cycle]
        const id = [...loop.slice(0, -1)].sort().join('\0')
        if (reported.has(id)) return
        reported.add(id)
        out.push({ path: ['models', i, 'fallback', j], message: `fallback cycle: ${loop.join(' -> ')}` })
      })
    })
    return out
  },
}

/** The chain of names from `from` to `to` along fallback edges (breadth first, so the shortest), or undefined. */
function findPath(from: string, to: string, edges: Map<string, string[]>): string[] | undefined {
  const previous = new Map<string, string | null>([[from, null]])
  const queue = [from]
  while (queue.length > 0) {
    const cur = queue.shift() as string
    if (cur === to) {
      const path: string[] = []
      for (let n: string | null | undefined = cur; n != null; n = previous.get(n)) path.unshift(n)
      return path
    }
    for (const next of edges.get(cur) ?? []) {
      if (!previous.has(next)) {
        previous.set(next, cur)
        queue.push(next)
      }
    }
  }
  return undefined
}
