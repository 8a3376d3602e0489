/**
 * The fast path of a relayed OpenAI stream (SPEC §4: bytes relayed as they arrive): which run of a chunk read from the
 * upstream is complete, plain content events? Such a run can go to the client as it is, without splitting it into
 * events or decoding a byte, because no event in it needs the relay's attention:
 * - every event is exactly one `data: {...}` line and its blank line (no `event:`, `id:`, comments, CR line ends or
 *   multi-line data, and the data has the shape of a JSON object, as the slow path's check asks);
 * - no `"usage"` but `"usage":null` (a usage chunk is parsed, and dropped when the client did not ask for it),
 *   no `"finish_reason"` but null (the end of the answer is noted), no `"error"` key and no `[DONE]`.
 * Quotes inside JSON strings are escaped (`\"usage\"`), so text that mentions those words does not match the keys.
 * Anything else (or a false negative, such as "[DONE]" written by the model) takes the event-by-event path.
 */
const LF = 10
const CR = 13
const SPACE = 32
const COLON = 58
const LBRACE = 123
const RBRACE = 125
const DATA = Buffer.from('data:')
const USAGE = Buffer.from('"usage"')
const FINISH = Buffer.from('"finish_reason"')
const ERROR = Buffer.from('"error"')
const DONE = Buffer.from('[DONE]')
const NULL = Buffer.from('null')

/** c holds `needle` at `at` (false past the end, where Buffer.compare would throw). */
function has(c: Buffer, at: number, needle: Buffer): boolean {
  return at + needle.length <= c.length && c.compare(needle, 0, needle.length, at, at + needle.length) === 0
}

/** Position of the first occurrence of the key at or after `from` that is not followed by `: null`; c.length if none. */
function firstNonNull(c: Buffer, key: Buffer, from: number): number {
  for (let i = c.indexOf(key, from); i !== -1; i = c.indexOf(key, i + key.length)) {
    let j = i + key.length
    while (c[j] === SPACE) j++
    if (c[j] !== COLON) return i
    j++
    while (c[j] === SPACE) j++
    if (!has(c, j, NULL)) return i
  }
  return c.length
}

const indexOr = (c: Buffer, needle: Buffer | number, from: number): number => {
  const i = c.indexOf(needle, from)
  return i === -1 ? c.length : i
}

/**
 * End of the run of plain events that starts at `from` (an event boundary): the offset after its last event, `from`
 * when the event there is not plain. Native searches only; nothing is decoded.
 */
export function plainRunEnd(c: Buffer, from: number): number {
  if (c.indexOf(CR, from) !== -1) return from
  // the first byte the relay must see; events before the one holding it may be relayed as they are
  const stop = Math.min(indexOr(c, ERROR, from), indexOr(c, DONE, from), firstNonNull(c, USAGE, from), firstNonNull(c, FINISH, from))
  let end = from
  while (end < stop) {
    if (!has(c, end, DATA)) break
    let v = end + DATA.length
    if (c[v] === SPACE) v++
    const lf = c.indexOf(LF, v)
    // `{` ... `}` on one line, then the blank line at once
    if (lf < 0 || c[v] !== LBRACE || c[lf - 1] !== RBRACE || c[lf + 1] !== LF) break
    const next = lf + 2
    if (next > stop) break // the byte to see is inside this event
    end = next
  }
  return end
}

/** The whole chunk is plain events (see above). */
export function isPlainContentChunk(c: Buffer): boolean {
  return c.length > 0 && plainRunEnd(c, 0) === c.length
}
