/** A text summary of a V8 sampling .heapprofile (`llmgw profile --tool doctor` fallback, SPEC §2): top allocation sites. */
import { readFileSync } from 'node:fs'
import { relative } from 'node:path'

interface HeapNode {
  callFrame: { functionName: string; url: string; lineNumber: number }
  selfSize: number
  children?: HeapNode[]
}
export interface HeapProfile { head: HeapNode }

export interface HeapSummary {
  readonly totalBytes: number
  readonly top: { name: string; location: string; bytes: number; percent: number }[]
}

export function readHeapProfile(file: string): HeapProfile {
  const v = JSON.parse(readFileSync(file, 'utf8')) as Partial<HeapProfile>
  if (!v.head || typeof v.head !== 'object') throw new Error(`${file} is not a V8 .heapprofile (no head)`)
  return v as HeapProfile
}

/** Bytes still allocated at exit per function (sampled), aggregated over call sites. Iterative: deep trees do not overflow. */
export function summarizeHeapProfile(p: HeapProfile, topN = 5, root = process.cwd()): HeapSummary {
  const byFn = new Map<string, { name: string; location: string; bytes: number }>()
  let total = 0
  const stack: HeapNode[] = [p.head]
  while (stack.length > 0) {
    const n = stack.pop()!
    total += n.selfSize
    if (n.selfSize > 0) {
      const f = n.callFrame
      const name = f.functionName || '(anonymous)'
      const path = f.url.startsWith('file://') ? decodeURIComponent(f.url.slice(7)) : f.url
      const location = path ? `${path.startsWith('/') ? relative(root, path) : path}:${f.lineNumber + 1}` : '(native)'
      const key = `${name}@${location}`
      const e = byFn.get(key) ?? { name, location, bytes: 0 }
      e.bytes += n.selfSize
      byFn.set(key, e)
    }
    for (const c of n.children ?? []) stack.push(c)
  }
  const top = [...byFn.values()].sort((a, b) => b.bytes - a.bytes).slice(0, topN).map((e) => ({ ...e, percent: total > 0 ? Math.round((e.bytes / total) * 1000) / 10 : 0 }))
  return { totalBytes: total, top }
}

export function formatHeapSummary(s: HeapSummary): string {
  const lines = [`${(s.totalBytes / 1048576).toFixed(1)} MB sampled live at exit; top allocation sites:`]
  for (const [i, r] of s.top.entries()) lines.push(`${String(i + 1).padStart(2)}. ${r.percent.toFixed(1).padStart(5)}%  ${(r.bytes / 1024).toFixed(0).padStart(8)} kB  ${r.name}  ${r.location}`)
  return lines.join('\n')
}
