/** Per-stage timing for `llmgw profile --tool stages` (issue 7): built into the pipeline only when profiling is on. */

import { timed } from '../core/sync.js'

/** The stages a request passes through, in order. */
export const STAGES = ['parse', 'auth', 'limits', 'rules', 'routing', 'upstream_wait', 'relay', 'observe'] as const
export type Stage = (typeof STAGES)[number]

export interface StageStats {
  count: number
  totalMs: number
  meanUs: number
}

export interface StageProfile {
  /** Add one measurement of `stage` (a pipeline stage, or plugin:<name>), in nanoseconds. */
  add(stage: Stage | `plugin:${string}`, ns: number): void
  snapshot(): Record<string, StageStats>
  reset(): void
}

export function createStageProfile(): StageProfile {
  // the pipeline stages first, always reported; a plugin's stage appears from its first measurement
  const count: number[] = STAGES.map(() => 0)
  const total: number[] = STAGES.map(() => 0)
  const names: string[] = [...STAGES]
  const index = new Map<string, number>(STAGES.map((s, i) => [s, i]))
  return {
    add(stage, ns) {
      let i = index.get(stage)
      if (i === undefined) {
        i = names.push(stage) - 1
        index.set(stage, i)
        count.push(0)
        total.push(0)
      }
      count[i]! += 1
      total[i]! += ns
    },
    snapshot() {
      const out: Record<string, StageStats> = {}
      names.forEach((s, i) => {
        const c = count[i]!
        out[s] = { count: c, totalMs: total[i]! / 1e6, meanUs: c === 0 ? 0 : total[i]! / c / 1e3 }
      })
      return out
    },
    reset() {
      count.fill(0)
      total.fill(0)
    },
  }
}

/** Wrap a stage so each call is timed (until its promise settles, if it returns one); unprofiled pipelines use `fn` itself. */
export function timeStage<A extends unknown[], R>(profile: StageProfile, stage: Stage, fn: (...a: A) => R): (...a: A) => R {
  return (...a) => timed((ns) => profile.add(stage, ns), () => fn(...a))
}

/** Whether profiling was asked for by the environment (the `llmgw profile` driver sets it on the gateway it starts). */
export const isStageProfilingRequested = (env: NodeJS.ProcessEnv = process.env): boolean => env.LLMGW_PROFILE_STAGES === '1'
