/** createScrubber: upstream error texts lose our key and header values, whole or as a quoted prefix, suffix or masked form. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createScrubber, mapStatusError } from './upstream-errors.js'

const KEY = 'sk-UPSTREAMSECRET-abc123def456ghi789jkl0c123'
const scrub = createScrubber([KEY, 'Bearer tok-HEADERSECRET-9f8e7d6c5b4a', 'application/json'])

/** No 8 consecutive characters of the key or the header token survive. */
function assertNoFragment(out: string, secret: string): void {
  for (let i = 0; i + 8 <= secret.length; i++) assert.ok(!out.includes(secret.slice(i, i + 8)), `"${secret.slice(i, i + 8)}" left in: ${out}`)
}

test('the whole key goes, the text around it stays', () => {
  const out = scrub(`Incorrect API key provided: ${KEY}. You can find your API key at https://platform.openai.com/account/api-keys.`)
  assert.equal(out, 'Incorrect API key provided: [redacted]. You can find your API key at https://platform.openai.com/account/api-keys.')
})

test('a quoted prefix of the key (the first 17 characters) goes', () => {
  const out = scrub(`Incorrect API key provided: ${KEY.slice(0, 17)}. You can find your API key at https://platform.openai.com/account/api-keys.`)
  assertNoFragment(out, KEY)
  assert.match(out, /^Incorrect API key provided: \[redacted\] You can find your API key at https:\/\/platform\.openai\.com/)
})

test('a masked form with an 8-character prefix goes (sk-UPSTR...c123), and so does an 8-character suffix', () => {
  const masked = scrub('{"error":{"message":"Incorrect API key provided: sk-UPSTR...c123.","type":"invalid_request_error","code":"invalid_api_key"}}')
  assert.ok(!masked.includes('sk-UPSTR'), masked)
  assert.ok(masked.includes('"message":"Incorrect API key provided: [redacted]"'), masked)
  assert.ok(masked.includes('"code":"invalid_api_key"'), 'the rest of the body stays')
  const suffix = scrub(`key ending in ...${KEY.slice(-10)} is not valid`)
  assert.equal(suffix, 'key ending in [redacted] is not valid')
  const middle = scrub(`bad key fragment ${KEY.slice(8, 20)}`)
  assert.equal(middle, 'bad key fragment [redacted]')
})

test("OpenAI's own mask (6 characters, stars, last 4) is not a leak and stays readable", () => {
  const s = createScrubber(['sk-abcdefghijklmnopqrstuvwxyz0123wxyz'])
  const text = 'Incorrect API key provided: sk-abc*****************************wxyz. You can find your API key at https://platform.openai.com/account/api-keys.'
  assert.equal(s(text), text)
})

test('an Anthropic-style error quoting a key prefix inside JSON loses it; quotes delimit the token', () => {
  const key = 'sk-ant-api03-Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0FeDcBa-AAAA'
  const s = createScrubber([key])
  const body = `{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key '${key.slice(0, 24)}'"}}`
  const out = s(body)
  assertNoFragment(out, key)
  assert.ok(out.includes(`"message":"invalid x-api-key '[redacted]'"`), out)
  assert.ok(out.includes('"type":"authentication_error"'), out)
})

test('a header value is matched by its parts: the token after "Bearer" goes, "Bearer" stays', () => {
  const out = scrub('upstream said: Authorization Bearer tok-HEADERSE… is not allowed for this org')
  assertNoFragment(out, 'tok-HEADERSECRET-9f8e7d6c5b4a')
  assert.equal(out, 'upstream said: Authorization Bearer [redacted] is not allowed for this org')
})

test('secrets shorter than 12 characters are only removed whole; unrelated tokens are untouched', () => {
  const s = createScrubber(['short-key1'])
  assert.equal(s('got short-key1 and short-ke'), 'got [redacted] and short-ke')
  const text = 'This model does not support max_tokens=100000; use max_completion_tokens instead.'
  assert.equal(scrub(text), text)
  assert.equal(createScrubber([])(text), text)
})

test('mapStatusError passes a 400 message to the client without the key prefix the upstream quoted', () => {
  const body = JSON.stringify({ error: { message: `Invalid API key format: ${KEY.slice(0, 20)}... (expected sk-...)`, type: 'invalid_request_error' } })
  const e = mapStatusError('openai', 400, {}, body, scrub)
  assertNoFragment(e.message, KEY)
  assert.equal(e.message, 'Invalid API key format: [redacted] (expected sk-...)')
})

test('encoded echoes go too: base64 at any byte offset (a Basic credential), base64url, percent-encoding', () => {
  const key = 'sk-UPSTREAMSECRET+/abc123def456ghi789=='
  const s = createScrubber([key])
  for (const prefix of ['', 'u:', 'us:', 'user:']) {
    const basic = Buffer.from(`${prefix}${key}`).toString('base64')
    const out = s(`upstream saw "Authorization: Basic ${basic}" and refused it`)
    assert.equal(out, 'upstream saw "Authorization: Basic [redacted]" and refused it', `prefix "${prefix}"`)
    const url = Buffer.from(`${prefix}${key}`).toString('base64url')
    assert.equal(s(`token=${url}`), '[redacted]', `base64url, prefix "${prefix}"`)
  }
  assert.equal(s(`GET /v1?key=${encodeURIComponent(key)} failed`), 'GET [redacted] failed')
  // every 8 characters of this one hold a character percent-encoding changes: only the encoded forms can match
  const dense = 'a+b/c=d+e/f=g+h/i=j+k/l=m+n/o=p'
  const d = createScrubber([dense])
  const upper = encodeURIComponent(dense)
  assert.equal(d(`key=${upper}`), '[redacted]')
  assert.equal(d(`key=${upper.replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase())}`), '[redacted]', 'lower-case hex digits')
  // unrelated base64 and text stay
  const other = `blob ${Buffer.from('nothing secret in this text at all').toString('base64')} ok`
  assert.equal(s(other), other)
})
