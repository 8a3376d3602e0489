/** An incremental Server-Sent Events splitter over bytes (SPEC §4 streaming): events split across chunks, CRLF/LF/CR, comments. */

/** One complete event: its fields, and its exact bytes so a relay can forward it without re-serialising. */
export interface SseEvent {
  /** The `event:` field, when present. */
  readonly event: string | undefined
  /** The `data:` lines joined with "\n" ('' when the event had none). */
  readonly data: string
  /** The event's bytes as received, blank line included. */
  readonly raw: Uint8Array
}

export interface SseSplitter {
  /** Feed bytes; every event completed by them is passed to onEvent, in order. */
  push(chunk: Uint8Array): void
  /** The stream ended: an unterminated last event is delivered only when it has data (servers that omit the final blank line). */
  end(): void
  /** No bytes of an unfinished event are held: the next push starts at an event boundary. */
  readonly isIdle: boolean
}

const LF = 10
const CR = 13
const COLON = 58
const SPACE = 32

/** A Buffer view (no copy) for native indexOf / utf8 slicing: both far cheaper than a JS loop or TextDecoder per line. */
const viewOf = (b: Uint8Array): Buffer => (Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength))

/** Field name at buf[start, colon) is `name` (ASCII), compared without building a string. */
function isName(buf: Buffer, start: number, colon: number, name: string): boolean {
  if (colon - start !== name.length) return false
  for (let i = 0; i < name.length; i++) if (buf[start + i] !== name.charCodeAt(i)) return false
  return true
}

/**
 * Most bytes one unfinished event may hold (2 MiB: chat chunks are ~300 bytes, the largest real events, tool-call
 * deltas and final events with logprobs, are kilobytes). An upstream that never ends an event, or one huge line,
 * is refused instead of buffered without bound (an audit held the event loop 16 s with one endless line).
 */
export const MAX_SSE_EVENT_BYTES = 2 * 1024 * 1024

/** tooLarge: the error to throw from push() when an event outgrows maxEventBytes (the adapter names its provider). */
export interface SseSplitterOptions {
  readonly maxEventBytes?: number
  readonly tooLarge?: (limit: number) => Error
}

const defaultTooLarge = (limit: number): Error => new Error(`an SSE event larger than ${limit} bytes`)

// HOT PATH: native memchr for line ends, field names compared as bytes, one utf8 slice per data line.
export function createSseSplitter(onEvent: (e: SseEvent) => void, opts: SseSplitterOptions = {}): SseSplitter {
  const maxEventBytes = opts.maxEventBytes ?? MAX_SSE_EVENT_BYTES
  const tooLarge = opts.tooLarge ?? defaultTooLarge
  let pending: Buffer | undefined // bytes of the unfinished event (and possibly an unfinished line)
  // Chunks after `pending` that hold no line end: nothing in them can complete a line, so they wait here unscanned
  // and are joined once, when a line end comes (re-joining and re-scanning per chunk was quadratic in the event).
  let held: Buffer[] = []
  let heldBytes = 0
  let data: string[] = []
  let event: string | undefined
  let hasField = false

  const field = (buf: Buffer, start: number, end: number): void => {
    if (buf[start] === COLON) return // comment
    let colon = buf.indexOf(COLON, start)
    if (colon < 0 || colon > end) colon = end
    let vs = colon + 1
    if (vs < end && buf[vs] === SPACE) vs++
    if (isName(buf, start, colon, 'data')) {
      data.push(colon < end ? buf.toString('utf8', vs, end) : '')
      hasField = true
    } else if (isName(buf, start, colon, 'event')) {
      event = colon < end ? buf.toString('utf8', vs, end) : ''
      hasField = true
    } else if (isName(buf, start, colon, 'id') || isName(buf, start, colon, 'retry')) hasField = true
  }

  const dispatch = (raw: Uint8Array): void => {
    const e: SseEvent = { event, data: data.length === 1 ? (data[0] as string) : data.join('\n'), raw }
    data = []
    event = undefined
    hasField = false
    onEvent(e)
  }

  const scan = (buf: Buffer, final: boolean): void => {
    const n = buf.length
    let eventStart = 0
    let lineStart = 0
    let cr = buf.indexOf(CR) // recomputed only once passed: streams without CR cost one memchr per scan
    while (lineStart < n) {
      if (cr >= 0 && cr < lineStart) cr = buf.indexOf(CR, lineStart)
      let lf = buf.indexOf(LF, lineStart)
      if (lf < 0) lf = n
      const i = cr >= 0 && cr < lf ? cr : lf
      if (i === n) break // no line end yet
      let next = i + 1
      if (i === cr) {
        if (next === n && !final) break // a CR at the end may be the first half of CRLF: wait for more bytes
        if (next < n && buf[next] === LF) next++
      }
      if (i === lineStart) {
        // blank line: the event is complete (comment-only blocks are dropped)
        if (hasField) dispatch(buf.subarray(eventStart, next))
        eventStart = next
      } else field(buf, lineStart, i)
      lineStart = next
    }
    if (final) {
      if (lineStart < n) field(buf, lineStart, n)
      if (hasField && data.length > 0) dispatch(buf.subarray(eventStart, n))
      pending = undefined
      self.isIdle = true
      return
    }
    // keep the unfinished event; fields of its completed lines are parsed again on the next scan, so reset them
    pending = eventStart < n ? Buffer.from(buf.subarray(eventStart)) : undefined
    self.isIdle = pending === undefined
    data = []
    event = undefined
    hasField = false
  }

  const self = {
    push(chunk: Uint8Array): void {
      if (chunk.length === 0) return
      if (pending === undefined) return scan(viewOf(chunk), false)
      const c = viewOf(chunk)
      heldBytes += c.length
      if (pending.length + heldBytes > maxEventBytes) throw tooLarge(maxEventBytes)
      held.push(c)
      if (c.indexOf(LF) < 0 && c.indexOf(CR) < 0) return
      const joined = Buffer.concat([pending, ...held])
      held = []
      heldBytes = 0
      scan(joined, false)
    },
    end(): void {
      if (pending === undefined) return
      const joined = held.length === 0 ? pending : Buffer.concat([pending, ...held])
      held = []
      heldBytes = 0
      scan(joined, true)
    },
    // A data property kept in step with `pending`, not a getter: an object literal's getter closure gives every
    // splitter its own hidden class in old space, which kept each stream's objects (and all they reference) alive
    // through young-generation GCs until the next full GC (issue 14: 20% of a stream's allocations survived
    // scavenges with the getter, 3% without; bench/README.md "Runs of 2026-12-07, later"; bench/gc-survival.mjs checks it).
    isIdle: true,
  }
  return self
}

/** One SSE event as text: `event:` line when named, then the data line, then the blank line. */
export function formatSseEvent(data: string, event?: string): string {
  return event === undefined ? `data: ${data}\n\n` : `event: ${event}\ndata: ${data}\n\n`
}
