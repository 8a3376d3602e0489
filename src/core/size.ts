/** Sizes in the spec: "512kb", "4mb", "1gb" or a number of bytes (SPEC §3). Binary multiples (1kb = 1024 bytes). */
const UNIT_BYTES = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 } as const
const SIZE = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?\s*$/i

/** Bytes, or undefined when the text is not a size. */
export function parseSize(v: string | number): number | undefined {
  if (typeof v === 'number') return Number.isInteger(v) && v >= 0 ? v : undefined
  const m = SIZE.exec(v)
  if (!m) return undefined
  const unit = (m[2] ?? 'b').toLowerCase() as keyof typeof UNIT_BYTES
  return Math.floor(Number(m[1]) * UNIT_BYTES[unit])
}
