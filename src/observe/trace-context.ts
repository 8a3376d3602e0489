/** W3C Trace Context codecs (traceparent, tracestate) and cheap random ids, for SPEC §3 observability.tracing. */
import { randomFillSync } from 'node:crypto'

export interface TraceParent {
  /** 32 lower-case hex digits, not all zero. */
  readonly traceId: string
  /** 16 lower-case hex digits, not all zero. */
  readonly spanId: string
  /** Bit 0: sampled. */
  readonly flags: number
}

const HEX = /^[0-9a-f]+$/
const ZERO_TRACE = '0'.repeat(32)
const ZERO_SPAN = '0'.repeat(16)

/**
 * Strict parse of a `traceparent` header. Anything malformed gives undefined: the caller then starts a new trace
 * and never propagates what it was sent. Versions after 00 may append fields (W3C §3.2.4); version ff is invalid.
 */
export function parseTraceparent(header: string | undefined): TraceParent | undefined {
  if (header === undefined || header.length < 55) return undefined
  const h = header.trim()
  const version = h.slice(0, 2)
  if (!HEX.test(version) || version === 'ff') return undefined
  if (version === '00' ? h.length !== 55 : h.length > 55 && h[55] !== '-') return undefined
  if (h[2] !== '-' || h[35] !== '-' || h[52] !== '-') return undefined
  const traceId = h.slice(3, 35)
  const spanId = h.slice(36, 52)
  const flags = h.slice(53, 55)
  if (!HEX.test(traceId) || !HEX.test(spanId) || !HEX.test(flags)) return undefined
  if (traceId === ZERO_TRACE || spanId === ZERO_SPAN) return undefined
  return { traceId, spanId, flags: parseInt(flags, 16) }
}

export function formatTraceparent(tp: TraceParent): string {
  return `00-${tp.traceId}-${tp.spanId}-${(tp.flags & 0xff).toString(16).padStart(2, '0')}`
}

const STATE_KEY = /^(?:[a-z][a-z0-9_\-*/]{0,255}|[a-z0-9][a-z0-9_\-*/]{0,240}@[a-z][a-z0-9_\-*/]{0,13})$/
const STATE_VALUE = /^[\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,255}[\x21-\x2b\x2d-\x3c\x3e-\x7e]$/

/** Validate a `tracestate` header; a malformed one is dropped whole (undefined), as W3C §3.3.1.1 allows. */
export function parseTracestate(header: string | undefined): string | undefined {
  if (header === undefined || header.length === 0 || header.length > 512) return undefined
  const members = header.split(',').map((m) => m.trim()).filter((m) => m !== '')
  if (members.length === 0 || members.length > 32) return undefined
  const seen = new Set<string>()
  for (const m of members) {
    const eq = m.indexOf('=')
    if (eq <= 0) return undefined
    const key = m.slice(0, eq)
    if (!STATE_KEY.test(key) || !STATE_VALUE.test(m.slice(eq + 1)) || seen.has(key)) return undefined
    seen.add(key)
  }
  return members.join(',')
}

// One syscall per 4 KiB of ids instead of one per id.
const POOL = Buffer.alloc(4096)
let offset = POOL.length

function randomHex(bytes: number): string {
  for (;;) {
    if (offset + bytes > POOL.length) {
      randomFillSync(POOL)
      offset = 0
    }
    const hex = POOL.toString('hex', offset, offset + bytes)
    offset += bytes
    if (/[^0]/.test(hex)) return hex // all-zero ids are invalid (and astronomically rare)
  }
}

export const newTraceId = (): string => randomHex(16)
export const newSpanId = (): string => randomHex(8)
