/** The rows of a semantic spec diff (SPEC §2 `llmgw diff`): what changed, and what a reviewer should think of it. */

export type ChangeKind = 'added' | 'removed' | 'changed'

/**
 * breaking: some client request that worked before can now fail (model/key removed, limit tightened, auth on).
 * risky: clients keep working but behaviour or load shifts (weights, timeouts, breaker, prompts).
 * safe: additive or internal (new model, looser limits, logging).
 */
export type ChangeClass = 'breaking' | 'risky' | 'safe'

export interface DiffRow {
  /** Where, by identity rather than array position: `models[gpt-4o].targets[openai/gpt-4o].weight`. */
  path: string
  kind: ChangeKind
  /** Display text of the old value; secrets are never shown ("[redacted]"). Absent for `added`. */
  before?: string
  /** Display text of the new value; absent for `removed`. */
  after?: string
  class: ChangeClass
  /** True when a running gateway cannot hot-apply it (listen address, worker count). */
  needsRestart: boolean
  /** One sentence for the reviewer: what clients will notice. */
  note: string
}

export interface DiffSummary {
  breaking: number
  risky: number
  safe: number
  needsRestart: number
}

export const CLASS_ORDER: readonly ChangeClass[] = ['breaking', 'risky', 'safe']

export function summarizeDiff(rows: readonly DiffRow[]): DiffSummary {
  const s: DiffSummary = { breaking: 0, risky: 0, safe: 0, needsRestart: 0 }
  for (const r of rows) {
    s[r.class]++
    if (r.needsRestart) s.needsRestart++
  }
  return s
}

/** "2 breaking, 1 risky, 3 safe" (+ ", 1 needs restart"). */
export function formatSummary(s: DiffSummary): string {
  const base = `${s.breaking} breaking, ${s.risky} risky, ${s.safe} safe`
  return s.needsRestart > 0 ? `${base}, ${s.needsRestart} need${s.needsRestart === 1 ? 's' : ''} restart` : base
}
