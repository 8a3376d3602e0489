/** Durations in the spec: "250ms", "5s", "1m", "1h", "1d" or a number of milliseconds (SPEC §3). */
const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const
const DURATION = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$/

/** Milliseconds, or undefined when the text is not a duration. */
export function parseDuration(v: string | number): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? v : undefined
  const m = DURATION.exec(v)
  if (!m) return undefined
  return Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS]
}

/** "1.5s", "250ms", "2m": for messages and tables. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms * 100) / 100}ms`
  if (ms < 60_000) return `${Math.round(ms / 10) / 100}s`
  if (ms < 3_600_000) return `${Math.round(ms / 600) / 100}m`
  return `${Math.round(ms / 36_000) / 100}h`
}
