/** Log-scale latency buckets (HDR-like, ±6% per bucket) for the dashboard's p50/p99 (SPEC §2 serve dashboard). */

/** Bucket i covers [BASE^i, BASE^(i+1)) ms; 96 buckets reach ~1.2e5 ms (two minutes); the last one takes the rest. */
const BASE = 1.13
const LN_BASE = Math.log(BASE)
export const BUCKETS = 96

/** HOT PATH: one log, no allocation. */
export function bucketOf(ms: number): number {
  if (!(ms > 1)) return 0
  const i = Math.floor(Math.log(ms) / LN_BASE)
  return i < BUCKETS ? i : BUCKETS - 1
}

/** The representative value of a bucket: its geometric middle. */
export function bucketValue(i: number): number {
  return i === 0 ? 1 : Math.pow(BASE, i + 0.5)
}

/** The q-quantile (0..1) of counts summed over the given histograms; 0 when empty. */
export function quantileOf(histograms: readonly Uint32Array[], q: number): number {
  let total = 0
  for (const h of histograms) for (let i = 0; i < BUCKETS; i++) total += h[i]!
  if (total === 0) return 0
  const rank = Math.max(1, Math.ceil(q * total))
  let seen = 0
  for (let i = 0; i < BUCKETS; i++) {
    for (const h of histograms) seen += h[i]!
    if (seen >= rank) return bucketValue(i)
  }
  return bucketValue(BUCKETS - 1)
}
