/**
 * The fast path of a relayed OpenAI stream (SPEC §4: bytes relayed as they arrive): is a chunk read from the upstream
 * nothing but complete, plain content events? Such a chunk can go to the client as it is, one write, without
 * splitting it into events or decoding a byte, because no event in it needs the relay's attention:
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

/** Every occurrence of the key in c is followed by `: null` (spaces allowed around the colon). */
function onlyNull(c: Buffer, key: Buffer): boolean {
  for (let i = c.indexOf(key); i !== -1; i = c.indexOf(key, i + key.length)) {
    let j = i + key.length
    while (c[j] === SPACE) j++
    if (c[j] !== COLON) return false
    j++
    while (c[j] === SPACE) j++
    if (!has(c, j, NULL)) return false
  }
  return true
}

export function isPlainContentChunk(c: Buffer): boolean {
  const n = c.length
  if (n < 2 || c[n - 1] !== LF || c[n - 2] !== LF) return false
  if (c.indexOf(CR) !== -1 || c.indexOf(ERROR) !== -1 || c.indexOf(DONE) !== -1) return false
  if (!onlyNull(c, USAGE) || !onlyNull(c, FINISH)) return false
  for (let start = 0; start < n; ) {
    if (!has(c, start, DATA)) return false
    let v = start + DATA.length
    if (c[v] === SPACE) v++
    const end = c.indexOf(LF, v)
    // `{` ... `}` on one line, then the blank line at once (end + 1 < n holds: c ends with two LFs)
    if (c[v] !== LBRACE || c[end - 1] !== RBRACE || c[end + 1] !== LF) return false
    start = end + 2
  }
  return true
}
