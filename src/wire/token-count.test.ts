/** Token counting stays linear and bounded (wire/token-count.ts): a hostile text is never a long stall. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { encode as rawEncode } from 'gpt-tokenizer'
import { BoundedCounter, EXACT_CHARS, RUN_SLICE } from './token-count.js'

const encode = (s: string): number => rawEncode(s).length
const prose = (chars: number): string => 'The quick brown fox jumps over the lazy dog, then naps. '.repeat(Math.ceil(chars / 56)).slice(0, chars)

test('ordinary text within the budget is counted exactly', () => {
  const text = prose(20_000)
  assert.equal(new BoundedCounter(encode).count(text), encode(text))
})

test('long runs of non-space characters or of whitespace reach the encoder in slices (the quadratic cases), counts stay close', () => {
  const seen: number[] = []
  const spy = (s: string): number => {
    seen.push(s.length)
    return encode(s)
  }
  const text = `prefix ${'a'.repeat(5_000)} middle ${'Zx9+/'.repeat(400)} then ${' '.repeat(3_000)}x${'\n'.repeat(3_000)}y${' \n\t'.repeat(1_000)} suffix`
  const n = new BoundedCounter(spy).count(text)
  assert.ok(Math.max(...seen) <= RUN_SLICE + 8, `largest piece encoded: ${Math.max(...seen)} characters`)
  const exact = encode(text)
  assert.ok(Math.abs(n - exact) / exact < 0.1, `sliced ${n} vs exact ${exact}`)
})

test('200,000 characters of one letter are counted (they took minutes unbounded)', { timeout: 30_000 }, () => {
  const n = new BoundedCounter(encode).count('a'.repeat(200_000))
  assert.ok(n > 200_000 / 16 && n < 200_000, `${n} tokens`)
})

test('past the budget, text is counted at the ratio of what was encoded', () => {
  const half = (s: string): number => Math.ceil(s.length / 2) // a fake encoder: 1 token per 2 characters
  const c = new BoundedCounter(half, 100)
  assert.equal(c.count('x'.repeat(60)), 30) // exact
  assert.equal(c.count('y'.repeat(100)), 20 + 30) // 40 exact, 60 at 0.5 a character
  assert.equal(c.count('z'.repeat(10)), 5) // budget spent: at the ratio only
  const big = prose(EXACT_CHARS * 3)
  const estimated = new BoundedCounter(encode).count(big)
  const exact = encode(big)
  assert.ok(Math.abs(estimated - exact) / exact < 0.02, `estimated ${estimated} vs exact ${exact}`)
})
