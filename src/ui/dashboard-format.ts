/** Text formatting for the `serve` dashboard cells (SPEC §2 serve): rates, durations, money, ages, columns. */

export function formatRate(perSec: number): string {
  if (perSec === 0) return '0'
  if (perSec < 10) return perSec.toFixed(2)
  if (perSec < 1000) return perSec.toFixed(1)
  return Math.round(perSec).toLocaleString('en-US')
}

export function formatMs(ms: number): string {
  if (ms === 0) return '-'
  if (ms < 1000) return `${Math.round(ms)}ms`
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)}s`
  return `${Math.floor(ms / 60_000)}m${String(Math.round((ms % 60_000) / 1000)).padStart(2, '0')}s`
}

export function formatUsd(usd: number): string {
  if (usd === 0) return '$0'
  return usd < 1 ? `$${usd.toFixed(4)}` : `$${usd.toFixed(2)}`
}

export function formatPercent(share: number): string {
  return `${(share * 100).toFixed(share === 0 || share >= 0.1 ? 0 : 1)}%`
}

export function formatAge(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000))
  if (s < 60) return `${s}s ago`
  if (s < 3600) return `${Math.floor(s / 60)}m ago`
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m ago`
}

export function formatUptime(ms: number): string {
  const s = Math.floor(ms / 1000)
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : `${m}m${String(s % 60).padStart(2, '0')}s`
}

export function formatClock(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(11, 19)
}

/** Pad or cut to a fixed width so rows line up without a table library. */
export function cell(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  const t = text.length > width ? `${text.slice(0, Math.max(0, width - 1))}…` : text
  return align === 'left' ? t.padEnd(width) : t.padStart(width)
}
