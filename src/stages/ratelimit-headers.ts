/** OpenAI's x-ratelimit-* headers and retry-after (SPEC §4), formatted the way OpenAI's SDKs and dashboards read them. */
import type { RateVerdict } from '../state/types.js'

export const LIMIT_REQUESTS = 'x-ratelimit-limit-requests'
export const REMAINING_REQUESTS = 'x-ratelimit-remaining-requests'
export const RESET_REQUESTS = 'x-ratelimit-reset-requests'
export const LIMIT_TOKENS = 'x-ratelimit-limit-tokens'
export const REMAINING_TOKENS = 'x-ratelimit-remaining-tokens'
export const RESET_TOKENS = 'x-ratelimit-reset-tokens'
export const RETRY_AFTER = 'retry-after'

/** Which family of headers a window reports under. */
export type HeaderFamily = 'requests' | 'tokens'

/** Go-style durations as OpenAI sends them: "20ms", "1s", "1.5s", "6m0s", "1h2m3s". */
export function formatReset(ms: number): string {
  if (!(ms > 0)) return '0s'
  if (ms < 1000) return `${Math.ceil(ms)}ms`
  const totalS = Math.ceil(ms / 10) / 100
  const h = Math.floor(totalS / 3600)
  const m = Math.floor((totalS - h * 3600) / 60)
  const s = Math.round((totalS - h * 3600 - m * 60) * 100) / 100
  if (h > 0) return `${h}h${m}m${s}s`
  if (m > 0) return `${m}m${s}s`
  return `${s}s`
}

/** retry-after in whole seconds, at least 1 (a 0 would invite an immediate retry that is refused again). */
export function retryAfterSeconds(ms: number): string {
  if (!Number.isFinite(ms)) return '86400'
  const s = Math.ceil(ms / 1000)
  return String(s < 1 ? 1 : s)
}

/** Append the three headers of one family for a verdict. `limitText` is precomputed at compile time. */
export function pushRateHeaders(out: Array<[string, string]>, family: HeaderFamily, limitText: string, v: RateVerdict): void {
  if (family === 'requests') {
    out.push([LIMIT_REQUESTS, limitText], [REMAINING_REQUESTS, String(v.remaining)], [RESET_REQUESTS, formatReset(v.resetMs)])
  } else {
    out.push([LIMIT_TOKENS, limitText], [REMAINING_TOKENS, String(v.remaining)], [RESET_TOKENS, formatReset(v.resetMs)])
  }
}
