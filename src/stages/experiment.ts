/** `experiments[]` (SPEC §3): sticky weighted variants per model, with automatic rollback of a failing canary. */
import type { CallContext } from '../core/pipeline.js'

export interface ExperimentPlan {
  readonly name: string
  readonly stickyBy: string // header:NAME | key | ip
  readonly variants: readonly { readonly name: string; readonly weight: number; readonly hasTarget: boolean }[]
  readonly rollback?: { maxErrorRate?: number; maxP95Ms?: number; minRequests: number; windowMs: number }
}

export interface VariantPick {
  /** Index into ExperimentPlan.variants. */
  readonly index: number
  readonly name: string
}

export interface ExperimentRuntime {
  /** Picks the variant for this request (sticky) and records its outcome through cx.onEnd. */
  pick(cx: CallContext): VariantPick
  /** Set once a canary breached its rollback limits: every request goes to the control variant. */
  readonly rolledBack: string | undefined
}

/** Header name this experiment needs copied (Gateway.headerNames). */
export function experimentHeaderNames(e: ExperimentPlan): string[] {
  return e.stickyBy.startsWith('header:') ? [e.stickyBy.slice(7).toLowerCase()] : []
}

/** FNV-1a: a fast, stable 32-bit hash, so a user keeps their variant across requests, restarts and replicas. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}

export function createExperiment(e: ExperimentPlan, onRollback?: (experiment: string, variant: string, why: string) => void): ExperimentRuntime {
  const variants = e.variants.map((v, index) => ({ index, name: v.name, weight: Math.max(0, v.weight) }))
  const total = variants.reduce((s, v) => s + v.weight, 0)
  // Cumulative bucket ends in units of 1/10000 so a hash maps to a variant with one scan of a few entries.
  let acc = 0
  const ends = variants.map((v) => (acc += total > 0 ? (v.weight / total) * 10_000 : 0))
  const control = variants[e.variants.findIndex((v) => !v.hasTarget)] ?? variants[0]!
  const sticky = compileSticky(e.stickyBy)
  const salt = `${e.name}:`
  const stats = e.rollback ? variants.map(() => createWindowStats(e.rollback!.windowMs)) : undefined
  let lastJudged = -Infinity
  const rt: { rolledBack: string | undefined } & ExperimentRuntime = {
    rolledBack: undefined,
    pick(cx) {
      let chosen = control
      if (rt.rolledBack === undefined && total > 0) {
        const id = sticky(cx)
        const bucket = (id === undefined ? Math.random() * 0xffffffff : fnv1a(salt + id)) % 10_000
        const i = ends.findIndex((end) => bucket < end)
        chosen = variants[i === -1 ? variants.length - 1 : i]!
      }
      if (stats && chosen !== control) {
        const s = stats[chosen.index]!
        const started = performance.now()
        cx.onEnd((end) => {
          const now = performance.now()
          s.add(end.status >= 500, now - started)
          // Judging reads the whole window: at most 4 times a second, not per request.
          if (now - lastJudged < 250) return
          lastJudged = now
          const why = breach(s, e.rollback!)
          if (why && rt.rolledBack === undefined) {
            rt.rolledBack = chosen.name
            onRollback?.(e.name, chosen.name, why)
          }
        })
      }
      return chosen
    },
  }
  return rt
}

function compileSticky(by: string): (cx: CallContext) => string | undefined {
  if (by === 'key') return (cx) => cx.caller?.keyId
  if (by === 'ip') return (cx) => cx.ex.ip
  const h = by.slice('header:'.length).toLowerCase()
  return (cx) => cx.ex.headers[h]
}

function breach(s: WindowStats, r: NonNullable<ExperimentPlan['rollback']>): string | undefined {
  const snap = s.read()
  if (snap.count < r.minRequests) return undefined
  if (r.maxErrorRate !== undefined && snap.errors / snap.count > r.maxErrorRate)
    return `error rate ${(snap.errors / snap.count).toFixed(3)} > ${r.maxErrorRate}`
  if (r.maxP95Ms !== undefined && snap.p95Ms > r.maxP95Ms) return `p95 ${Math.round(snap.p95Ms)}ms > ${r.maxP95Ms}ms`
  return undefined
}

interface WindowStats {
  add(isError: boolean, latencyMs: number): void
  read(): { count: number; errors: number; p95Ms: number }
}

/** A rolling window of the last `windowMs`, bounded to 1024 samples (a ring buffer; old samples age out). */
function createWindowStats(windowMs: number): WindowStats {
  const SIZE = 1024
  const at = new Float64Array(SIZE)
  const lat = new Float64Array(SIZE)
  const err = new Uint8Array(SIZE)
  let n = 0
  return {
    add(isError, latencyMs) {
      const i = n++ % SIZE
      at[i] = performance.now()
      lat[i] = latencyMs
      err[i] = isError ? 1 : 0
    },
    read() {
      const since = performance.now() - windowMs
      const xs: number[] = []
      let errors = 0
      for (let i = 0; i < Math.min(n, SIZE); i++) {
        if (at[i]! < since) continue
        xs.push(lat[i]!)
        errors += err[i]!
      }
      xs.sort((a, b) => a - b)
      return { count: xs.length, errors, p95Ms: xs.length === 0 ? 0 : xs[Math.min(xs.length - 1, Math.floor(xs.length * 0.95))]! }
    },
  }
}
