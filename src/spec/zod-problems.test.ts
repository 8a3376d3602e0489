/** Schema errors in the user's words, at the value's line (SPEC §3): unions, enums, unknown fields, types. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { parseSpecText } from './parse.js'

const BASE = `version: 1
providers:
  - { name: sim, type: mock }
models:
  - { name: m, targets: [{ provider: sim, model: x }] }
`

function problems(text: string): string[] {
  const r = parseSpecText(text, 'spec.yaml', {})
  assert.ok(!r.ok, 'expected problems')
  return r.problems.map((p) => `${p.line}:${p.col} ${p.rule} ${p.message}`)
}

test('an unknown rule type lists the valid ones and suggests the nearest', () => {
  assert.deepEqual(problems(`${BASE}rules:\n  - type: deni\n`), [
    "7:11 invalid-value rules[0].type: expected 'content-filter' | 'system-prompt' | 'deny' | 'plugin', got 'deni' (did you mean 'deny'?)",
  ])
})

test('an unknown field inside a rule suggests the field of that rule type', () => {
  assert.deepEqual(problems(`${BASE}rules:\n  - type: system-prompt\n    txt: hi\n`), [
    '7:5 required-field rules[0].text: is required',
    "8:5 unknown-field rules[0].txt: unknown field 'txt' (did you mean 'text'?)",
  ])
})

test('wrong types are named in YAML words', () => {
  assert.deepEqual(problems(`${BASE}keys: { id: a }\nserver: { workers: two }\n`), [
    '6:1 invalid-value keys: expected a list, got a mapping',
    "7:20 invalid-value server.workers: expected a number, got 'two'",
  ])
})

test('durations, sizes and retry classes report what they expect', () => {
  const text = `version: 1
server: { maxBodySize: 4 megabytes, sseKeepalive: -1 }
providers:
  - { name: sim, type: mock }
models:
  - name: m
    targets: [{ provider: sim, model: x }]
    retry: { on: [5xx, 3xx] }
`
  assert.deepEqual(problems(text), [
    `2:24 invalid-value server.maxBodySize: expected a size like "512kb", "4mb", got '4 megabytes'`,
    '2:51 invalid-value server.sseKeepalive: must be at least 0',
    "8:24 invalid-value models[0].retry.on[1]: expected '5xx' | '4xx' | 'timeout' | 'connect', got '3xx' (did you mean '5xx'?)",
  ])
})

test('cross-field checks: a key needs key or hash; jwt needs exactly one way to verify', () => {
  assert.deepEqual(problems(`${BASE}keys:\n  - id: a\nauth:\n  jwt: { issuer: x }\n`), [
    '7:5 invalid-value keys[0]: needs key or hash',
    '9:3 invalid-value auth.jwt: give exactly one of jwksUrl, secret, publicKey, publicKeyFile',
  ])
})

test('a second YAML document is named as such, at its separator', () => {
  assert.deepEqual(problems(`${BASE}---\nversion: 2\n`), [
    '6:1 yaml-syntax a spec file holds one YAML document: remove this `---` separator and what follows, or split the file',
  ])
})

test('a raw key pasted into hash: is refused without echoing it', () => {
  const out = problems(`${BASE}keys:\n  - { id: a, hash: sk-live-VERYSECRET }\n`)
  assert.equal(out.length, 1)
  assert.doesNotMatch(out[0]!, /VERYSECRET/)
  assert.match(out[0]!, /keys\[0\]\.hash: expected sha256:<64 hex digits>/)
})
