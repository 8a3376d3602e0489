/** SSE splitter: events across chunk borders, CRLF, comments; recorded upstream bytes -> expected chunks (fixtures/upstream). */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import fc from 'fast-check'
import { packageRoot } from '../core/package-root.js'
import { createSseSplitter, type SseEvent } from './sse.js'

const enc = new TextEncoder()
const dec = new TextDecoder()

function split(chunks: Uint8Array[]): SseEvent[] {
  const out: SseEvent[] = []
  const s = createSseSplitter((e) => out.push(e))
  for (const c of chunks) s.push(c)
  s.end()
  return out
}

/** Cuts bytes at the given offsets. */
function cut(bytes: Uint8Array, at: number[]): Uint8Array[] {
  const points = [...new Set(at.map((a) => a % (bytes.length + 1)))].sort((a, b) => a - b)
  const parts: Uint8Array[] = []
  let prev = 0
  for (const p of points) {
    parts.push(bytes.subarray(prev, p))
    prev = p
  }
  parts.push(bytes.subarray(prev))
  return parts
}

test('splits events, joins multi-line data, keeps event names and raw bytes', () => {
  const text = 'event: a\ndata: one\ndata: two\n\ndata: {"x":1}\n\n'
  const ev = split([enc.encode(text)])
  assert.deepEqual(ev.map((e) => [e.event, e.data]), [['a', 'one\ntwo'], [undefined, '{"x":1}']])
  assert.equal(ev.map((e) => dec.decode(e.raw)).join(''), text)
})

test('CRLF and lone CR line endings, comments and comment-only blocks are dropped', () => {
  const ev = split([enc.encode(': hello\r\n\r\ndata: a\r\n\r\ndata: b\r\rdata:c\n\n')])
  assert.deepEqual(ev.map((e) => e.data), ['a', 'b', 'c'])
})

test('a CR at the very end of a chunk waits for a possible LF in the next one', () => {
  const ev = split([enc.encode('data: a\r'), enc.encode('\n\r'), enc.encode('\ndata: b\r\n\r\n')])
  assert.deepEqual(ev.map((e) => e.data), ['a', 'b'])
})

test('a last event without the closing blank line is still delivered at end()', () => {
  assert.deepEqual(split([enc.encode('data: a\n\ndata: tail')]).map((e) => e.data), ['a', 'tail'])
})

test('any chunking of the same bytes gives the same events (property)', () => {
  const text = enc.encode('data: {"a":"é✓"}\r\n\r\n: c\n\nevent: x\ndata: 1\ndata: 2\n\ndata: [DONE]\n\n')
  const whole = split([text]).map((e) => [e.event, e.data, dec.decode(e.raw)])
  fc.assert(
    fc.property(fc.array(fc.nat(text.length), { maxLength: 12 }), (at) => {
      assert.deepEqual(split(cut(text, at)).map((e) => [e.event, e.data, dec.decode(e.raw)]), whole)
    }),
    { numRuns: 300 },
  )
})

test('never throws on random bytes (property)', () => {
  fc.assert(
    fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 8 }), (chunks) => {
      split(chunks)
    }),
    { numRuns: 300 },
  )
})

test('recorded OpenAI streams decode to the expected chunks, byte by byte too', () => {
  const dir = join(packageRoot(), 'fixtures', 'upstream', 'openai')
  const cases = readdirSync(dir).filter((f) => f.endsWith('.sse'))
  assert.ok(cases.length >= 2)
  for (const f of cases) {
    const bytes = readFileSync(join(dir, f))
    const expected = readFileSync(join(dir, f.replace(/\.sse$/, '.chunks.jsonl')), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as unknown)
    const decode = (evs: SseEvent[]) => evs.map((e) => (e.data === '[DONE]' ? '[DONE]' : (JSON.parse(e.data) as unknown)))
    assert.deepEqual(decode(split([bytes])), expected, f)
    assert.deepEqual(decode(split([...bytes].map((b) => Uint8Array.of(b)))), expected, `${f} byte by byte`)
  }
})

test('an event arriving in many chunks without line ends is held unscanned and delivered whole', () => {
  const got: string[] = []
  const split = createSseSplitter((e) => got.push(e.data))
  const data = 'x'.repeat(10_000)
  const wire = Buffer.from(`data: ${data}\n\ndata: next\n\n`)
  for (let i = 0; i < wire.length; i += 7) split.push(wire.subarray(i, i + 7))
  split.end()
  assert.deepEqual(got, [data, 'next'])
})

test('an event that outgrows the limit is refused with the caller\'s error, not buffered without bound', () => {
  const split = createSseSplitter(() => assert.fail('no event is complete'), { maxEventBytes: 1024, tooLarge: (n) => new Error(`over ${n}`) })
  split.push(Buffer.from('data: {"endless":"'))
  assert.throws(() => {
    for (let i = 0; i < 100; i++) split.push(Buffer.from('y'.repeat(64)))
  }, /over 1024/)
  // many short lines that never end the event count the same
  const lines = createSseSplitter(() => assert.fail('no event is complete'), { maxEventBytes: 1024 })
  lines.push(Buffer.from('data: a\n'))
  assert.throws(() => {
    for (let i = 0; i < 100; i++) lines.push(Buffer.from('data: bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\n'))
  }, /SSE event larger than 1024 bytes/)
})
