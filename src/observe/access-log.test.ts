/** Tests for observe/access-log.ts and observe/logger.ts: fields, formats, secrets grep, failing destinations. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Secret } from '../core/secret.js'
import { createAccessLog, formatAccessLine } from './access-log.js'
import type { RequestRecord } from '../core/pipeline.js'
import { createLogger } from './logger.js'
import { syntheticRecord } from './synthetic-record.js'

const FIELDS = ['time', 'reqId', 'keyId', 'ip', 'method', 'path', 'modelAsked', 'model', 'provider', 'upstreamModel',
  'status', 'errorCode', 'attempts', 'cache', 'tokensIn', 'tokensOut', 'costUsd', 'latencyMs', 'upstreamLatencyMs', 'ttftMs']

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'llmgw-log-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

test('one JSON line per request with every listed field', async (t) => {
  const file = join(tempDir(t), 'nested', 'access.log')
  const log = createAccessLog({ format: 'json', destination: file })
  assert.ok(log)
  for (let i = 0; i < 500; i++) {
    log.onStart()
    log.onEnd(syntheticRecord({ requestId: `r${i}`, status: 502, errorCode: 'upstream_error', attempts: 3, cache: 'MISS', ttftMs: 80, stream: true }))
  }
  await log.close()
  const lines = readFileSync(file, 'utf8').trimEnd().split('\n')
  assert.equal(lines.length, 500)
  const first = JSON.parse(lines[0]!) as Record<string, unknown>
  for (const f of FIELDS) assert.ok(f in first, `missing ${f}`)
  assert.equal(first.reqId, 'r0')
  assert.equal(first.status, 502)
  assert.equal(first.errorCode, 'upstream_error')
  assert.equal(first.tokensIn, 12)
  assert.equal(JSON.parse(lines[499]!).reqId, 'r499')
  assert.equal(log.dropped, 0)
})

test('format off returns null; pretty writes a readable line', async (t) => {
  assert.equal(createAccessLog({ format: 'off', destination: 'stdout' }), null)
  const file = join(tempDir(t), 'pretty.log')
  const log = createAccessLog({ format: 'pretty', destination: file })!
  log.onEnd(syntheticRecord({ requestId: 'pretty-1' }))
  await log.close()
  const text = readFileSync(file, 'utf8')
  assert.match(text, /POST \/v1\/chat\/completions 200 250ms gpt-4o pretty-1/)
  assert.throws(() => JSON.parse(text))
})

test('a full run never writes a configured secret', async (t) => {
  const dir = tempDir(t)
  const secrets = ['sk-live-abcdef0123456789', 'team-a-key-9f8e7d6c', 'admin-token-5a5a5a']
  const log = createAccessLog({ format: 'json', destination: join(dir, 'access.log') })!
  const app = createLogger({ destination: join(dir, 'app.log'), level: 'debug' })
  for (let i = 0; i < 200; i++) {
    log.onEnd(syntheticRecord({ keyId: i % 2 ? 'team-a' : undefined, status: i % 7 ? 200 : 401, errorCode: i % 7 ? undefined : 'invalid_api_key' }))
  }
  const provider = { name: 'openai', apiKey: new Secret(secrets[0]!) }
  app.info('spec loaded', { provider, keys: [{ id: 'team-a', key: new Secret(secrets[1]!) }] })
  app.warn('admin', { admin: { token: new Secret(secrets[2]!) } })
  app.error('upstream failed', { err: new Error(`call with ${new Secret(secrets[0]!)}`) })
  // A plain string under a well-known secret field name is censored too (defence in depth).
  app.debug('raw', { apiKey: secrets[0], headers: { authorization: `Bearer ${secrets[1]}` } })
  await Promise.all([log.close(), app.close()])
  const all = readFileSync(join(dir, 'access.log'), 'utf8') + readFileSync(join(dir, 'app.log'), 'utf8')
  assert.ok(all.includes('team-a') && all.includes('spec loaded') && all.includes('[redacted]'), 'the logs were written')
  for (const s of secrets) assert.ok(!all.includes(s), `secret ${s} leaked`)
})

test('reload errors carry file:line:col; listening carries the URL', async (t) => {
  const file = join(tempDir(t), 'app.log')
  const app = createLogger({ destination: file })
  app.listening('http://127.0.0.1:8080')
  app.reloadOk('v2abc')
  app.reloadError([{ file: 'llmgw.config.yaml', line: 12, col: 5, message: 'unknown provider "opnai"', rule: 'unknown-provider', severity: 'error' }])
  await app.close()
  const lines = readFileSync(file, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>)
  assert.equal(lines[0]!.url, 'http://127.0.0.1:8080')
  assert.equal(lines[1]!.version, 'v2abc')
  assert.equal(lines[2]!.level, 'error')
  assert.equal(lines[3]!.where, 'llmgw.config.yaml:12:5')
  assert.equal(lines[3]!.msg, 'unknown provider "opnai"')
})

test('a full disk neither throws nor stalls the event loop; lines beyond the buffer are dropped and counted', async (t) => {
  if (!existsSync('/dev/full')) return t.skip('/dev/full is Linux-only')
  const log = createAccessLog({ format: 'json', destination: '/dev/full' }, { maxBufferBytes: 64 * 1024 })!
  let ticks = 0
  const timer = setInterval(() => ticks++, 1)
  for (let round = 0; round < 20; round++) {
    for (let i = 0; i < 200; i++) log.onEnd(syntheticRecord())
    await new Promise((r) => setImmediate(r))
  }
  await new Promise((r) => setTimeout(r, 50))
  clearInterval(timer)
  assert.ok(log.writeErrors > 0, 'ENOSPC was seen')
  assert.ok(log.dropped > 0, 'lines were dropped rather than buffered without bound')
  assert.ok(ticks > 0, 'timers kept running')
  await log.close()
})

test('an unopenable destination is reported, not thrown', async () => {
  const log = createAccessLog({ format: 'json', destination: '/dev/null/not-a-dir/access.log' })!
  for (let i = 0; i < 10; i++) log.onEnd(syntheticRecord())
  await new Promise((r) => setTimeout(r, 50))
  assert.ok(log.writeErrors > 0)
  await log.close()
})

test('accessLineJson is byte for byte JSON.stringify(formatAccessLine(r)), whatever the record holds', async () => {
  const { accessLineJson } = await import('./access-log.js')
  const base: RequestRecord = {
    time: 1795674301273, requestId: 'r-1', keyId: undefined, ip: '127.0.0.1', method: 'POST', path: '/v1/chat/completions',
    endpoint: 'chat', modelAsked: undefined, model: undefined, provider: undefined, upstreamModel: undefined, status: 499,
    errorCode: undefined, attempts: 0, cache: undefined, variant: undefined, stream: false, promptTokens: 0,
    completionTokens: 0, costUsd: 0, latencyMs: 1.23456789, upstreamLatencyMs: undefined, ttftMs: undefined,
  }
  const full: RequestRecord = {
    ...base, keyId: 'team-a', modelAsked: 'gpt-"4o"\n\u2028', model: 'gpt-4o', provider: 'openai', upstreamModel: 'gpt-4o-2024',
    status: 200, errorCode: 'upstream_error', attempts: 2, cache: 'MISS', variant: 'b', stream: true, promptTokens: 12,
    completionTokens: 34, costUsd: 0.000123, upstreamLatencyMs: 5.5, ttftMs: 2.25, requestId: 'evil"\\id\u0001',
  }
  const odd: RequestRecord = { ...full, costUsd: Number.NaN, latencyMs: Number.POSITIVE_INFINITY, upstreamLatencyMs: -0 }
  // timings as a stream records them: performance.now() differences with all their digits, logged to the µs
  const raw: RequestRecord = { ...full, latencyMs: 12.345678901234, upstreamLatencyMs: 11.000499999, ttftMs: 0.87345600128173 }
  for (const r of [base, full, odd, raw]) {
    const line = accessLineJson(r)
    assert.equal(line, JSON.stringify(formatAccessLine(r)) + '\n')
    assert.deepEqual(JSON.parse(line), JSON.parse(JSON.stringify(formatAccessLine(r))))
  }
  const timings = JSON.parse(accessLineJson(raw))
  assert.deepEqual([timings.latencyMs, timings.upstreamLatencyMs, timings.ttftMs], [12.346, 11, 0.873])
})

test('str (the fast JSON string) equals JSON.stringify for every kind of character', async () => {
  const { str } = await import('./access-log.js')
  const samples = ['', 'plain', 'a"b', 'a\\b', 'tab\there', 'nul\u0000', '\u001f', '\u007f', 'é ü 中文', '\u2028\u2029',
    '😀 pair', 'lone \ud83d', 'lone \ude00 low', '\udfff\ud800', '/v1/chat/completions', '10.0.0.1', '::ffff:127.0.0.1']
  // Every BMP code unit alone and inside text: the escape test must agree with JSON.stringify on each one.
  for (let c = 0; c < 0x10000; c++) samples.push(String.fromCharCode(c), `x${String.fromCharCode(c)}y`)
  for (const s of samples) assert.equal(str(s), JSON.stringify(s), `code units ${[...s].map((ch) => ch.charCodeAt(0))}`)
})

test('millis3 writes String(Math.round(ms * 1000) / 1000) exactly', async () => {
  const { millis3 } = await import('./access-log.js')
  const check = (ms: number): void => assert.equal(millis3(ms), String(Math.round(ms * 1000) / 1000), `ms ${ms}`)
  // Every count of thousandths up to 3,000 s, then the ends of the integer range and beyond (the fallback).
  for (let n = 0; n <= 3_000_000; n++) check(n / 1000)
  for (let n = 2 ** 31 - 5000; n <= 2 ** 31 + 5000; n++) check(n / 1000)
  let seed = 42
  const rnd = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31)
  for (let i = 0; i < 200_000; i++) check(rnd() * 10 ** (i % 9))
  for (const ms of [0, -0, -0.0004, -1.5, 0.0004, 0.0005, 1e-9, 1e21, 1e300, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
    assert.equal(millis3(ms), Number.isFinite(Math.round(ms * 1000) / 1000) ? String(Math.round(ms * 1000) / 1000) : 'null', `ms ${ms}`)
  }
})

test('batched lines reach the file on the periodic flush, without flush() or close()', async (t) => {
  const file = join(tempDir(t), 'quiet.log')
  const log = createAccessLog({ format: 'json', destination: file }, { flushEveryMs: 10 })!
  for (let i = 0; i < 3; i++) log.onEnd(syntheticRecord({ requestId: `q${i}` }))
  // Poll (no timing assertion): only the periodic hand-over can bring these three lines to the file.
  let text = ''
  for (let i = 0; i < 500 && text.split('\n').length < 4; i++) {
    await new Promise((r) => setTimeout(r, 10))
    text = existsSync(file) ? readFileSync(file, 'utf8') : ''
  }
  assert.deepEqual(text.trimEnd().split('\n').map((l) => (JSON.parse(l) as { reqId: string }).reqId), ['q0', 'q1', 'q2'])
  await log.close()
})

test('lines still batched when the process exits are written by the exit flush', async (t) => {
  const { execFileSync } = await import('node:child_process')
  const file = join(tempDir(t), 'exit.log')
  const here = new URL('.', import.meta.url).href
  const script = `const { createAccessLog } = await import(${JSON.stringify(here + 'access-log.js')})
    const { syntheticRecord } = await import(${JSON.stringify(here + 'synthetic-record.js')})
    const log = createAccessLog({ format: 'json', destination: ${JSON.stringify(file)} }, { flushEveryMs: 60000 })
    await new Promise((r) => setTimeout(r, 100)) // the file is open
    for (let i = 0; i < 5; i++) log.onEnd(syntheticRecord({ requestId: 'x' + i }))
    process.exit(0)`
  execFileSync(process.execPath, ['--input-type=module', '-e', script])
  const ids = readFileSync(file, 'utf8').trimEnd().split('\n').map((l) => (JSON.parse(l) as { reqId: string }).reqId)
  assert.deepEqual(ids, ['x0', 'x1', 'x2', 'x3', 'x4'])
})

test('a dropped batch counts each of its lines', async (t) => {
  if (!existsSync('/dev/full')) return t.skip('/dev/full is Linux-only')
  const log = createAccessLog({ format: 'json', destination: '/dev/full' }, { maxBufferBytes: 64 * 1024 })!
  const total = 4000
  for (let i = 0; i < total; i++) log.onEnd(syntheticRecord())
  log.flush()
  await new Promise((r) => setTimeout(r, 50))
  // ~330-byte lines: at most ~200 fit in 64 KiB and ~50 more wait in the JS batch; the rest are counted one by one
  // (counting batches would give ~80).
  assert.ok(log.dropped >= total - 300, `dropped ${log.dropped}`)
  await log.close()
})

test('epochMillis writes String(t) exactly', async () => {
  const { epochMillis } = await import('./access-log.js')
  const check = (t: number): void => assert.equal(epochMillis(t), Number.isFinite(t) ? String(t) : 'null', `t ${t}`)
  // Every ms around today and around million boundaries (zero padding), then the ends of the fast range and beyond.
  const now = 1_795_674_301_273
  for (let t = now - 1_000_000; t <= now + 1_000_000; t++) check(t)
  for (const base of [1e6, 1e9, 1e12, 2e12, 1e15 - 2e6]) for (let t = base - 1000; t <= base + 1000; t++) check(t)
  for (const t of [0, -0, 1, 999_999, -1_795_674_301_273, 1e15, 2 ** 53, 2 ** 53 + 2, 1e21, 1795674301273.5, 1e6 + 0.25, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) check(t)
})
