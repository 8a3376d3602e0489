/** `llmgw keys hash|new` (SPEC §2): the hash format stages/auth.ts expects and well-formed random keys. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createApiKey, formatKeyHash } from './keys.js'

test('keys hash prints sha256:<hex> of the key', () => {
  assert.equal(formatKeyHash('abc'), 'sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
})

test('keys new: llmgw- prefix, 32 base62 chars, never the same twice', () => {
  const keys = Array.from({ length: 200 }, createApiKey)
  for (const k of keys) assert.match(k, /^llmgw-[0-9A-Za-z]{32}$/)
  assert.equal(new Set(keys).size, keys.length)
})
