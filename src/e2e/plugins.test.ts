/**
 * Plugins end to end (SPEC §3 rules[].type: plugin, issue 12): a real gateway on loopback, the `llmgw mock` upstream
 * and the openai SDK. Modify, reject, mask a stream, throw (500 plugin_error, one log line, process alive, next
 * request fine), hot reload of an edited plugin, and the plugin's own stage in /admin/stages.
 */
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Anthropic from '@anthropic-ai/sdk'
import OpenAI from 'openai'
import { type App, type AppLog, startApp } from '../app/start.js'
import { packageRoot } from '../core/package-root.js'
import { startTestMock } from '../testing/harness.js'
import { until } from '../testing/until.js'
import { assertNoOrphans, runCli } from './bench-cli.js'

/** A test plugin: its behaviour is chosen by words in the last user message. */
const TAG_PLUGIN = (denyMessage: string) => `
export default (options) => ({
  name: 'tag',
  onRequest(ctx) {
    const text = String(ctx.body.messages.at(-1).content)
    if (text.includes('deny-me')) return { code: 'request_denied', message: ${JSON.stringify(denyMessage)} }
    if (text.includes('throw-429')) throw { code: 'rate_limit_exceeded', message: 'plugin quota' }
    if (text.includes('bad-code')) return { code: 'teapot', message: 'no' }
    if (text.includes('boom-request')) throw new Error('request hook exploded')
    if (text.includes('boom-response')) ctx.state.boomResponse = true
    if (text.includes('boom-stream')) ctx.state.boomStream = true
    ctx.state.chunks = 0
    if (text.includes('short')) return { headers: { 'x-mock-answer-tokens': String(options.shortTokens) } }
  },
  onResponse(ctx, body) {
    if (ctx.state.boomResponse) throw new Error('response hook exploded')
    body.plugin_saw = ctx.requestId
  },
  onChunk(ctx, chunk) {
    if (ctx.state.boomStream && ++ctx.state.chunks === 3) throw new Error('chunk hook exploded')
  },
})
`

interface Setup {
  app: App
  dir: string
  client: OpenAI
  errors: string[]
}

async function setup(t: TestContext, watch = false): Promise<Setup> {
  const mock = await startTestMock({ t, latencyMs: 0 })
  const dir = await mkdtemp(join(tmpdir(), 'llmgw-plugins-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  await mkdir(join(dir, 'plugins'))
  for (const f of ['pii-redact.mjs', 'header-route.mjs']) await copyFile(join(packageRoot(), 'templates', 'plugins', f), join(dir, 'plugins', f))
  await writeFile(join(dir, 'plugins', 'tag.mjs'), TAG_PLUGIN('denied by the tag plugin'))
  const spec = `version: 1
server: { sseKeepalive: 0 }
providers:
  - { name: up, type: openai, baseUrl: "${mock.url}/v1", apiKey: sk-plugins-up, timeout: 5s }
models:
  - { name: plain, targets: [{ provider: up, model: mock-plain }] }
  - { name: guarded, targets: [{ provider: up, model: mock-1 }] }
  - { name: vowels, targets: [{ provider: up, model: mock-1 }] }
rules:
  - type: plugin
    module: ./plugins/pii-redact.mjs
    options: { mask: "[redacted]" }
    models: [guarded]
  - type: plugin
    module: ./plugins/pii-redact.mjs
    name: vowel-mask
    options: { mask: "*", emails: false, phones: false, patterns: ["[aeiou]"] }
    models: [vowels]
  - type: plugin
    module: ./plugins/tag.mjs
    options: { shortTokens: 3 }
    models: [guarded]
  - type: plugin
    module: ./plugins/header-route.mjs
    options: { header: x-llmgw-route, routes: { plain: plain } }
    models: [guarded]
`
  await writeFile(join(dir, 'llmgw.config.yaml'), spec)
  const errors: string[] = []
  const log: AppLog = { info() {}, warn() {}, error: (msg, fields) => void errors.push(`${msg} ${JSON.stringify(fields)}`) }
  const app = await startApp({
    file: join(dir, 'llmgw.config.yaml'), host: '127.0.0.1', port: 0, watch, dashboard: false, accessLog: false, cwd: dir, log,
    compileDeps: { profileStages: true },
  })
  t.after(() => app.shutdown())
  return { app, dir, client: new OpenAI({ baseURL: `${app.url}/v1`, apiKey: 'unused', maxRetries: 0, timeout: 8000 }), errors }
}

const ask = async (client: OpenAI, model: string, content: string, headers: Record<string, string> = {}) => {
  const r = await client.chat.completions.create({ model, messages: [{ role: 'user', content }] }, { headers })
  return r
}

const streamText = async (client: OpenAI, model: string, content: string): Promise<{ text: string; parts: string[] }> => {
  const stream = await client.chat.completions.create({ model, messages: [{ role: 'user', content }], stream: true })
  const parts: string[] = []
  for await (const c of stream) parts.push(c.choices[0]?.delta?.content ?? '')
  return { text: parts.join(''), parts }
}

const apiError = async (p: Promise<unknown>): Promise<{ status: number | undefined; code: unknown; message: string }> => {
  try {
    await p
  } catch (e) {
    assert.ok(e instanceof OpenAI.APIError, String(e))
    return { status: e.status, code: e.code, message: e.message }
  }
  assert.fail('expected the request to fail')
}

test('modify: the prompt reaches the upstream redacted, plugin headers reach it, onResponse edits the answer', async (t) => {
  const { client } = await setup(t)
  const original = 'write to ann@example.com or call +1 (555) 010-9999 today'
  const redacted = 'write to [redacted] or call [redacted] today'
  const got = await ask(client, 'guarded', original)
  const viaRedacted = await ask(client, 'plain', redacted)
  const viaOriginal = await ask(client, 'plain', original)
  // the mock's answer is a function of the conversation it received
  assert.equal(got.choices[0]!.message.content, viaRedacted.choices[0]!.message.content)
  assert.notEqual(got.choices[0]!.message.content, viaOriginal.choices[0]!.message.content)
  assert.equal((got as unknown as { plugin_saw?: string }).plugin_saw !== undefined, true, 'onResponse added a field')
  const short = await ask(client, 'guarded', 'a short answer please')
  assert.equal(short.choices[0]!.message.content!.split(' ').length, 3, 'x-mock-answer-tokens: 3 went upstream')
  // header-route: the header picks the model; an unknown route is refused by the plugin
  const res = await client.chat.completions.create({ model: 'guarded', messages: [{ role: 'user', content: 'hi' }] }, { headers: { 'x-llmgw-route': 'plain' } }).withResponse()
  assert.equal(res.data.model, 'mock-plain', 'served by the model plain')
  assert.equal(typeof (res.data as unknown as { plugin_saw?: string }).plugin_saw, 'string', 'the plugins that took the request still see its answer')
  assert.equal((await ask(client, 'guarded', 'hi')).model, 'mock-1', 'without the header: the model asked for')
  const unknown = await apiError(ask(client, 'guarded', 'hi', { 'x-llmgw-route': 'nowhere' }))
  assert.equal(unknown.status, 400)
  assert.equal(unknown.code, 'invalid_request')
})

test('reject: a returned or thrown SPEC error is the answer, with its status and code', async (t) => {
  const { client, errors } = await setup(t)
  const denied = await apiError(ask(client, 'guarded', 'please deny-me'))
  assert.deepEqual([denied.status, denied.code], [400, 'request_denied'])
  assert.match(denied.message, /denied by the tag plugin/)
  const limited = await apiError(ask(client, 'guarded', 'throw-429'))
  assert.deepEqual([limited.status, limited.code], [429, 'rate_limit_exceeded'])
  // a code that is not in the SPEC table is the plugin's bug: 500 plugin_error and a log line
  const bad = await apiError(ask(client, 'guarded', 'bad-code'))
  assert.deepEqual([bad.status, bad.code], [500, 'plugin_error'])
  assert.equal(errors.length, 1, errors.join('\n'))
  assert.match(errors[0]!, /plugin 'tag' failed in onRequest: it rejected with code .*teapot.*not a SPEC error code/)
})

test('mask a stream: every chunk rewritten by onChunk, the same text as the plain answer masked', async (t) => {
  const { client } = await setup(t)
  const prompt = 'xyz'
  const plain = await streamText(client, 'plain', prompt)
  const masked = await streamText(client, 'vowels', prompt)
  assert.ok(masked.parts.length > 5, `several chunks, got ${masked.parts.length}`)
  assert.match(plain.text, /[aeiou]/)
  assert.equal(masked.text, plain.text.replace(/[aeiou]/g, '*'))
  assert.ok(masked.parts.filter((p) => p.includes('*')).length > 1, 'rewritten chunk by chunk')
  assert.ok(masked.parts.every((p) => !/[aeiou]/.test(p)))
})

test('throw: onRequest, onResponse and onChunk failures give 500 plugin_error, one log line each; the next request works', async (t) => {
  const { client, errors, app } = await setup(t)
  const req = await apiError(ask(client, 'guarded', 'boom-request'))
  assert.deepEqual([req.status, req.code], [500, 'plugin_error'])
  assert.match(req.message, /plugin 'tag' failed in onRequest/)
  assert.doesNotMatch(req.message, /exploded/, 'the cause goes to the log, not to the client')
  const res = await apiError(ask(client, 'guarded', 'boom-response'))
  assert.deepEqual([res.status, res.code], [500, 'plugin_error'])
  const streamed = await apiError(streamText(client, 'guarded', 'boom-stream'))
  assert.equal(streamed.code, 'plugin_error', 'the stream ends with an error event')
  assert.equal(errors.length, 3, errors.join('\n'))
  assert.match(errors[0]!, /request hook exploded/)
  assert.match(errors[1]!, /plugin 'tag' failed in onResponse: response hook exploded/)
  assert.match(errors[2]!, /plugin 'tag' failed in onChunk: chunk hook exploded/)
  for (const e of errors) assert.match(e, /"requestId":"[^"]+"/)
  const ok = await ask(client, 'guarded', 'all fine now')
  assert.equal(ok.choices[0]!.finish_reason, 'stop')
  const health = await fetch(`${app.url}/healthz`)
  assert.equal(health.status, 200)
})

test('hot reload: an edited plugin file is picked up without touching the spec', async (t) => {
  const { client, dir, app } = await setup(t, true)
  const before = await apiError(ask(client, 'guarded', 'deny-me'))
  assert.match(before.message, /denied by the tag plugin/)
  await writeFile(join(dir, 'plugins', 'tag.mjs'), TAG_PLUGIN('denied by the EDITED plugin'))
  await until('the edited plugin answers', async () => (await apiError(ask(client, 'guarded', 'deny-me'))).message.includes('EDITED'))
  // a broken edit keeps the running plugin (reload fails, old spec serves)
  await writeFile(join(dir, 'plugins', 'tag.mjs'), 'export const nothing = 1\n')
  const r = await app.reload()
  assert.equal(r.ok, false)
  assert.match(JSON.stringify(r.ok ? [] : r.problems), /exports no hook/)
  assert.match((await apiError(ask(client, 'guarded', 'deny-me'))).message, /EDITED/)
})

test('a plugin has its own stage in /admin/stages (llmgw profile --tool stages)', async (t) => {
  const { client, app } = await setup(t)
  for (let i = 0; i < 3; i++) await ask(client, 'guarded', `hello ${i}`)
  await streamText(client, 'vowels', 'hello')
  const stages = (await (await fetch(`${app.url}/admin/stages`)).json()) as Record<string, { count: number; totalMs: number }>
  assert.ok(stages['plugin:tag']!.count >= 6, JSON.stringify(stages)) // onRequest + onResponse per request
  assert.ok(stages['plugin:pii-redact']!.count >= 6)
  assert.ok(stages['plugin:vowel-mask']!.count > 5, 'onChunk per streamed event')
  assert.ok(stages['plugin:tag']!.totalMs > 0)
  assert.ok(stages.parse!.count >= 4)
})

test('llmgw profile -c (the plugin template) prints a plugin:<name> row per plugin', async () => {
  const r = await runCli(['profile', '-c', join(packageRoot(), 'templates', 'plugin.yaml'), '--duration', '1s', '--scenario', 'chat'])
  assert.equal(r.code, 0, r.stderr)
  assert.match(r.stdout, /│ plugin:pii-redact\s+│ [1-9]\d*/)
  assert.match(r.stdout, /│ plugin:header-route\s+│ [1-9]\d*/)
  await assertNoOrphans(r.children)
})

test('onChunk and onResponse see the client\'s wire format: /v1/messages streamed and whole, through the Anthropic SDK', async (t) => {
  const { app, client } = await setup(t)
  const anthropic = new Anthropic({ baseURL: app.url, apiKey: 'unused', maxRetries: 0, timeout: 8000 })
  const plain = await streamText(client, 'plain', 'xyz')
  let text = ''
  let deltas = 0
  const stream = await anthropic.messages.create({ model: 'vowels', max_tokens: 100, messages: [{ role: 'user', content: 'xyz' }], stream: true })
  for await (const e of stream) {
    if (e.type === 'content_block_delta' && e.delta.type === 'text_delta') {
      deltas++
      text += e.delta.text
    }
  }
  assert.ok(deltas > 5)
  assert.equal(text, plain.text.replace(/[aeiou]/g, '*'), 'Anthropic events rewritten one by one')
  const whole = await anthropic.messages.create({ model: 'vowels', max_tokens: 100, messages: [{ role: 'user', content: 'xyz' }] })
  const block = whole.content[0]
  assert.ok(block?.type === 'text')
  assert.equal(block.text, plain.text.replace(/[aeiou]/g, '*'))
})
