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

// HOT PATH: native memchr for line ends, field names compared as bytes, one utf8 slice per data line.
export function createSseSplitter(onEvent: (e: SseEvent) => void): SseSplitter {
  let pending: Buffer | undefined // bytes of the unfinished event (and possibly an unfinished line)
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
      return
    }
    // keep the unfinished event; fields of its completed lines are parsed again on the next scan, so reset them
    pending = eventStart < n ? Buffer.from(buf.subarray(eventStart)) : undefined
    data = []
    event = undefined
    hasField = false
  }

  return {
    push(chunk) {
      if (chunk.length === 0) return
      scan(pending === undefined ? viewOf(chunk) : Buffer.concat([pending, chunk]), false)
    },
    end() {
      if (pending !== undefined) scan(pending, true)
    },
    get isIdle() {
      return pending === undefined
    },
  }
}

/** One SSE event as text: `event:` line when named, then the data line, then the blank line. */
export function formatSseEvent(data: string, event?: string): string {
  return event === undefined ? `data: ${data}\n\n` : `event: ${event}\ndata: ${data}\n\n`
}
