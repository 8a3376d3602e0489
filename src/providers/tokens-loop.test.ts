/**
 * The event loop keeps turning while the tokenizer loads and counts (its module evaluation, ~200 of the ~450 ms load, stalled every
 * request in flight when it ran on the request thread). Its own file: a fresh process, the tokenizer not yet loaded.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { countUsage } from './tokens.js'

test('the first count (tokenizer load included) never holds the event loop for a large part of its duration', async () => {
  let last = performance.now()
  let longest = 0
  const tick = setInterval(() => {
    const now = performance.now()
    longest = Math.max(longest, now - last)
    last = now
  }, 5)
  const start = performance.now()
  const u = await countUsage('a prompt', 'x'.repeat(200) + ' words '.repeat(5000))
  const took = performance.now() - start
  clearInterval(tick)
  assert.ok(u.completion_tokens > 1000, `counted: ${u.completion_tokens}`)
  // A ratio, not a time: on the request thread the module evaluation alone was one block of about half of `took`
  // (214 of 441 ms measured); in the worker the longest gap was 11 ms of 494.
  assert.ok(longest < took / 5, `the loop stood still for ${longest.toFixed(0)} ms of ${took.toFixed(0)} ms`)
})
