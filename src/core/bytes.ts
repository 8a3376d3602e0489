/** Bytes that are either text or binary, as the relay and the provider adapters pass them around. */
export type Bytes = string | Uint8Array

/** One Buffer of the parts in order (text as UTF-8); one part alone is returned as it is, without a copy. */
export function concatBytes(parts: readonly Bytes[]): Bytes {
  if (parts.length === 1) return parts[0]!
  return Buffer.concat(parts.map(asBuffer))
}

/** The part as bytes (text as UTF-8). */
export const asBuffer = (b: Bytes): Uint8Array => (typeof b === 'string' ? Buffer.from(b) : b)
