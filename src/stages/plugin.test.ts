/** Plugin stages (SPEC §3 rules[].type: plugin): request side, the answer transform over split SSE events, and the shipped pii-redact plugin. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { GatewayError } from '../core/errors.js'
import { resolvePluginExports, type Plugin } from '../core/plugin-api.js'
import { packageRoot } from '../core/package-root.js'
import { fakeCall } from '../testing/fake-call.js'
import { compilePlugin, type PluginDeps } from './plugin.js'
import { createPluginTransform } from './plugin-response.js'

const deps = (errors: unknown[] = [], timeoutMs = 10_000): PluginDeps => ({ onError: (e) => void errors.push(e), time: undefined, isModel: (n) => n === 'other', timeoutMs })
const chat = (content: string) => ({ model: 'm', messages: [{ role: 'user', content }] })

async function loadTemplate(name: string, options: Record<string, unknown>): Promise<Plugin> {
  const mod = (await import(pathToFileURL(join(packageRoot(), 'templates', 'plugins', name)).href)) as Record<string, unknown>
  return resolvePluginExports(mod, options)
}

const sse = (content: string | undefined, finish: string | null = null) =>
  `data: ${JSON.stringify({ object: 'chat.completion.chunk', choices: [{ index: 0, delta: content === undefined ? {} : { content }, finish_reason: finish }] })}\n\n`

/** Runs the request side, then streams `pieces` (raw SSE text, cut anywhere) through the transform. */
function streamThrough(plugin: Plugin, pieces: string[]): string {
  const cx = fakeCall({ body: chat('hi') })
  void compilePlugin({ name: 't', plugin }, deps())(cx)
  const tr = createPluginTransform(cx.plugins)!
  let out = ''
  for (const p of pieces) {
    const r = tr.chunk(p)
    assert.ok(typeof r === 'string', String(r))
    out += r
  }
  return out + (tr.end() as string)
}

const textOf = (stream: string): string =>
  stream
    .split('\n\n')
    .filter((e) => e.startsWith('data: {'))
    .map((e) => (JSON.parse(e.slice(6)) as { choices: Array<{ delta: { content?: string } }> }).choices[0]!.delta.content ?? '')
    .join('')

test('onRequest edits, headers and a re-route land on the context; a SPEC rejection is the GatewayError itself', async () => {
  const plugin: Plugin = {
    onRequest(ctx) {
      if (ctx.body.messages && String((ctx.body.messages as Array<{ content: string }>)[0]!.content) === 'no') return { code: 'content_filtered', message: 'nope' }
      ctx.body.user = 'u1'
      return { headers: { 'X-Tag': 'a' }, model: 'other' }
    },
  }
  const g = compilePlugin({ name: 't', plugin }, deps())
  const cx = fakeCall({ body: chat('hi'), headers: { authorization: 'Bearer secret', 'x-env': 'dev' } })
  await g(cx)
  assert.equal(cx.body.user, 'u1')
  assert.deepEqual(cx.upstreamHeaders, { 'x-tag': 'a' })
  assert.equal(cx.routeTo, 'other')
  assert.deepEqual(cx.plugins![0]!.ctx.headers, { 'x-env': 'dev' }, 'credentials are never shown to plugins')
  assert.throws(() => g(fakeCall({ body: chat('no') })), (e: unknown) => e instanceof GatewayError && e.code === 'content_filtered' && e.status === 400)
})

test('a throwing, mistyped or mis-routing onRequest is 500 plugin_error with one logged cause each', async () => {
  const errors: unknown[] = []
  const cases: Plugin[] = [
    { onRequest: () => { throw new Error('bug') } },
    { onRequest: async () => { throw new Error('async bug') } },
    { onRequest: () => ({ model: 'nowhere' }) },
    { onRequest: () => ({ code: 'request_denied', message: 'x', status: 418 }) },
    { onRequest: () => ({ headers: { 'Content-Length': '1' } }) },
  ]
  for (const plugin of cases) {
    const g = compilePlugin({ name: 'p', plugin }, deps(errors))
    await assert.rejects(async () => g(fakeCall({ body: chat('x') })), (e: unknown) => e instanceof GatewayError && e.code === 'plugin_error' && e.status === 500)
  }
  assert.equal(errors.length, cases.length)
  assert.match(String(errors[2]), /routes to "nowhere", which is no model/)
})

test('an async onRequest that never settles is cut off at the request timeout with plugin_error', async () => {
  const errors: unknown[] = []
  const g = compilePlugin({ name: 'slow', plugin: { onRequest: () => new Promise<void>(() => {}) } }, deps(errors, 50))
  await assert.rejects(async () => g(fakeCall({ body: chat('x') })), (e: unknown) => e instanceof GatewayError && e.code === 'plugin_error')
  assert.match(String(errors[0]), /did not settle within 50 ms/)
})

test('onEnd gets the usage and status once; a throwing onEnd is logged, never thrown', () => {
  const errors: unknown[] = []
  const seen: unknown[] = []
  const g = compilePlugin({ name: 'p', plugin: { onEnd: (_ctx, usage, end) => void seen.push([usage?.total_tokens, end.status]) } }, deps(errors))
  const cx = fakeCall({ body: chat('x') })
  void g(cx)
  cx.end({ status: 200, usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 } })
  assert.deepEqual(seen, [[3, 200]])
  const bad = fakeCall({ body: chat('x') })
  void compilePlugin({ name: 'p', plugin: { onEnd: () => { throw new Error('end bug') } } }, deps(errors))(bad)
  bad.end()
  assert.equal(errors.length, 1)
})

test('onChunk sees whole events however the bytes were cut; null drops an event; [DONE] passes', () => {
  const plugin: Plugin = { onChunk: (_ctx, c) => ((c.choices as Array<{ delta: { content?: string } }>)[0]!.delta.content === 'drop' ? null : void 0) }
  const all = sse('one ') + sse('drop') + sse('two', 'stop') + 'data: [DONE]\n\n'
  const cuts = [all.slice(0, 7), all.slice(7, 50), all.slice(50, 51), all.slice(51)]
  const out = streamThrough(plugin, cuts)
  assert.equal(textOf(out), 'one two')
  assert.ok(out.endsWith('data: [DONE]\n\n'))
})

test('pii-redact masks an e-mail split across streamed chunks, and in requests and whole answers', async () => {
  const plugin = await loadTemplate('pii-redact.mjs', { mask: '[x]' })
  const words = ['write ', 'to ann', '.lee@exa', 'mple.com', ' or +1 555', ' 010 9999', ' now']
  const out = streamThrough(plugin, [...words.map((w) => sse(w)), sse(undefined, 'stop')])
  assert.equal(textOf(out), 'write to [x] or [x] now')
  const cx = fakeCall({ body: { model: 'm', messages: [{ role: 'user', content: [{ type: 'text', text: 'me: bo@x.io' }] }] } })
  void compilePlugin({ name: 'pii', plugin }, deps())(cx)
  assert.deepEqual(cx.body.messages, [{ role: 'user', content: [{ type: 'text', text: 'me: [x]' }] }])
  const tr = createPluginTransform(cx.plugins)!
  const whole = JSON.parse(tr.whole(JSON.stringify({ id: 'a@b.co', choices: [{ message: { role: 'assistant', content: 'at a@b.co' } }] })) as string)
  assert.equal(whole.choices[0].message.content, 'at [x]')
  assert.equal(whole.id, 'a@b.co', 'ids are not text')
})

test('header-route: the declared header picks the model; an unknown value is a 400 invalid_request', async () => {
  const plugin = await loadTemplate('header-route.mjs', { header: 'X-Route', routes: { fast: 'other' } })
  assert.deepEqual(plugin.headers, ['x-route'])
  const g = compilePlugin({ name: 'hr', plugin }, deps())
  const cx = fakeCall({ body: chat('x'), headers: { 'x-route': 'fast' } })
  await g(cx)
  assert.equal(cx.routeTo, 'other')
  const none = fakeCall({ body: chat('x') })
  await g(none)
  assert.equal(none.routeTo, undefined)
  await assert.rejects(async () => g(fakeCall({ body: chat('x'), headers: { 'x-route': 'slow' } })), (e: unknown) => e instanceof GatewayError && e.code === 'invalid_request')
})

test('llmgw/plugin resolves through the package exports: definePlugin at run time, the .d.ts beside it', async () => {
  const name = 'llmgw/plugin' // not a literal import: tsc runs before the build step writes the .d.ts
  const api = (await import(name)) as typeof import('../core/plugin-api.js')
  const p = { onEnd() {} }
  assert.equal(api.definePlugin(p), p)
  assert.deepEqual([...api.PLUGIN_HOOKS], ['onRequest', 'onResponse', 'onChunk', 'onEnd'])
  const dts = join(packageRoot(), 'dist', 'core', 'plugin-api.d.ts')
  const { readFileSync } = await import('node:fs')
  assert.match(readFileSync(dts, 'utf8'), /export interface PluginContext/)
})
