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
}

const LF = 10
const CR = 13
const COLON = 58
const SPACE = 32
const decoder = new TextDecoder()

// HOT PATH: one pass over the bytes, no regex, no string built for a line until it is known to be a field.
export function createSseSplitter(onEvent: (e: SseEvent) => void): SseSplitter {
  let pending: Uint8Array | undefined // bytes of the unfinished event (and possibly an unfinished line)
  let data: string[] = []
  let event: string | undefined
  let hasField = false

  const field = (buf: Uint8Array, start: number, end: number): void => {
    if (start === end || buf[start] === COLON) return // blank handled by caller; ':' = comment
    let colon = start
    while (colon < end && buf[colon] !== COLON) colon++
    const name = decoder.decode(buf.subarray(start, colon))
    let vs = colon + 1
    if (vs < end && buf[vs] === SPACE) vs++
    const value = colon < end ? decoder.decode(buf.subarray(vs, end)) : ''
    if (name === 'data') {
      data.push(value)
      hasField = true
    } else if (name === 'event') {
      event = value
      hasField = true
    } else if (name === 'id' || name === 'retry') hasField = true
  }

  const dispatch = (raw: Uint8Array): void => {
    const e: SseEvent = { event, data: data.length === 1 ? (data[0] as string) : data.join('\n'), raw }
    data = []
    event = undefined
    hasField = false
    onEvent(e)
  }

  const scan = (buf: Uint8Array, final: boolean): void => {
    let eventStart = 0
    let lineStart = 0
    let i = 0
    const n = buf.length
    while (i < n) {
      const b = buf[i]
      if (b !== LF && b !== CR) {
        i++
        continue
      }
      let next = i + 1
      if (b === CR) {
        if (next === n && !final) break // a CR at the end may be the first half of CRLF: wait for more bytes
        if (next < n && buf[next] === LF) next++
      }
      if (i === lineStart) {
        // blank line: the event is complete (comment-only blocks are dropped)
        if (hasField) dispatch(buf.subarray(eventStart, next))
        eventStart = next
      } else field(buf, lineStart, i)
      lineStart = next
      i = next
    }
    if (final) {
      if (lineStart < n) field(buf, lineStart, n)
      if (hasField && data.length > 0) dispatch(buf.subarray(eventStart, n))
      pending = undefined
      return
    }
    // keep the unfinished event; fields of its completed lines are re-parsed on the next scan, so reset them
    pending = eventStart < n ? buf.slice(eventStart) : undefined
    data = []
    event = undefined
    hasField = false
  }

  return {
    push(chunk) {
      if (chunk.length === 0) return
      if (pending === undefined) return scan(chunk, false)
      const joined = new Uint8Array(pending.length + chunk.length)
      joined.set(pending, 0)
      joined.set(chunk, pending.length)
      scan(joined, false)
    },
    end() {
      if (pending !== undefined) scan(pending, true)
    },
  }
}

/** One SSE event as text: `event:` line when named, then the data line, then the blank line. */
export function formatSseEvent(data: string, event?: string): string {
  return event === undefined ? `data: ${data}\n\n` : `event: ${event}\ndata: ${data}\n\n`
}
