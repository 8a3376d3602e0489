/** A text summary of a V8 .cpuprofile: top self-time functions (SPEC §2 `profile`), for CI logs and terminals without a browser. */
import { readFileSync } from 'node:fs'
import { relative } from 'node:path'

interface CallFrame { functionName: string; url: string; lineNumber: number; columnNumber: number }
interface ProfileNode { id: number; callFrame: CallFrame; hitCount?: number; children?: number[] }
export interface CpuProfile { nodes: ProfileNode[]; startTime: number; endTime: number; samples?: number[]; timeDeltas?: number[] }

export interface SelfTimeRow {
  readonly name: string
  readonly location: string
  readonly selfMs: number
  readonly percent: number
}

export interface CpuSummary {
  readonly totalMs: number
  /** share of samples where the thread was idle (waiting for I/O) */
  readonly idlePercent: number
  readonly top: SelfTimeRow[]
}

const META = new Set(['(idle)', '(program)', '(garbage collector)', '(root)'])

/** Throws a plain Error when the file is not a V8 CPU profile. */
export function readCpuProfile(file: string): CpuProfile {
  const v = JSON.parse(readFileSync(file, 'utf8')) as Partial<CpuProfile>
  if (!Array.isArray(v.nodes) || typeof v.startTime !== 'number') throw new Error(`${file} is not a V8 .cpuprofile (no nodes/startTime)`)
  return v as CpuProfile
}

/** Self time per function (aggregated over call sites), from samples × timeDeltas; hitCount when samples are absent. */
export function summarizeCpuProfile(p: CpuProfile, topN = 10, root = process.cwd()): CpuSummary {
  const selfUs = new Map<number, number>()
  if (p.samples && p.timeDeltas && p.samples.length === p.timeDeltas.length) {
    // timeDeltas[i] is the gap before sample i; attribute the gap after each sample to it (V8 DevTools does the same)
    for (let i = 0; i < p.samples.length; i++) {
      const dt = p.timeDeltas[i + 1] ?? 0
      const id = p.samples[i]!
      selfUs.set(id, (selfUs.get(id) ?? 0) + Math.max(0, dt))
    }
  } else {
    const interval = p.nodes.reduce((n, x) => n + (x.hitCount ?? 0), 0)
    const per = interval > 0 ? (p.endTime - p.startTime) / interval : 0
    for (const n of p.nodes) selfUs.set(n.id, (n.hitCount ?? 0) * per)
  }
  const byFn = new Map<string, { name: string; location: string; us: number }>()
  let totalUs = 0
  let idleUs = 0
  for (const n of p.nodes) {
    const us = selfUs.get(n.id) ?? 0
    totalUs += us
    const f = n.callFrame
    if (f.functionName === '(idle)') { idleUs += us; continue }
    const name = f.functionName || '(anonymous)'
    const location = META.has(name) ? '' : formatLocation(f, root)
    const key = `${name}@${location}`
    const e = byFn.get(key) ?? { name, location, us: 0 }
    e.us += us
    byFn.set(key, e)
  }
  const top = [...byFn.values()]
    .filter((e) => e.us > 0)
    .sort((a, b) => b.us - a.us)
    .slice(0, topN)
    .map((e) => ({ name: e.name, location: e.location, selfMs: round(e.us / 1000), percent: totalUs > 0 ? round((e.us / totalUs) * 100) : 0 }))
  return { totalMs: round(totalUs / 1000), idlePercent: totalUs > 0 ? round((idleUs / totalUs) * 100) : 0, top }
}

function formatLocation(f: CallFrame, root: string): string {
  if (!f.url) return '(native)'
  const path = f.url.startsWith('file://') ? decodeURIComponent(f.url.slice(7)) : f.url
  const shown = path.startsWith('/') ? relative(root, path) : path
  return `${shown}:${f.lineNumber + 1}`
}

export function formatCpuSummary(s: CpuSummary): string {
  const lines = [`${s.totalMs.toFixed(0)} ms sampled, ${s.idlePercent.toFixed(1)}% idle; top self time:`]
  for (const [i, r] of s.top.entries()) {
    lines.push(`${String(i + 1).padStart(2)}. ${r.percent.toFixed(1).padStart(5)}%  ${r.selfMs.toFixed(1).padStart(8)} ms  ${r.name}${r.location ? `  ${r.location}` : ''}`)
  }
  return lines.join('\n')
}

const round = (x: number): number => Math.round(x * 10) / 10
