/** x-ratelimit-reset-* and retry-after formats (SPEC §4). */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { formatReset, retryAfterSeconds } from './ratelimit-headers.js'

test('reset durations read like OpenAI\'s: ms below a second, then Go-style units', () => {
  assert.equal(formatReset(0), '0s')
  assert.equal(formatReset(20), '20ms')
  assert.equal(formatReset(0.2), '1ms')
  assert.equal(formatReset(1000), '1s')
  assert.equal(formatReset(1500), '1.5s')
  assert.equal(formatReset(360_000), '6m0s')
  assert.equal(formatReset(3_723_000), '1h2m3s')
})

test('retry-after is whole seconds, at least 1; an endless window says one day', () => {
  assert.equal(retryAfterSeconds(0), '1')
  assert.equal(retryAfterSeconds(1), '1')
  assert.equal(retryAfterSeconds(1001), '2')
  assert.equal(retryAfterSeconds(Infinity), '86400')
})
