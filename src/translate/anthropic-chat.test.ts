/** Chat client -> anthropic provider (translate/anthropic-chat.ts over the real adapter and undici): Anthropic answers become chat completions and chunks. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import { GatewayError } from '../core/errors.js'
import { packageRoot } from '../core/package-root.js'
import { createProviderClient } from '../providers/index.js'
import type { ProviderClient, UpstreamCall } from '../providers/types.js'
import { recordingSink, startAnthropicUpstream, upstreamCall } from '../testing/upstream-call.js'
import { CHAT_TO_ANTHROPIC } from './anthropic-chat.js'
import type { TranslateInput } from './types.js'

const chat = { model: 'claude-x', messages: [{ role: 'system', content: 'S' }, { role: 'user', content: 'hello' }], max_tokens: 100 }
const setup = startAnthropicUpstream

/** One attempt as compile/chain.ts runs it: the translator builds the request, wraps the sink and ends it. */
async function translatedCall(c: ProviderClient, o: { stream?: boolean; clientWantsUsage?: boolean } = {}) {
  const input: TranslateInput = { endpoint: 'chat', body: chat, native: undefined, stream: o.stream ?? false, clientWantsUsage: o.clientWantsUsage ?? false, promptRewritten: false }
  const req: UpstreamCall = upstreamCall(chat, { ...CHAT_TO_ANTHROPIC.request(input, 'claude-x'), stream: input.stream })
  const sink = recordingSink()
  const wrapped = CHAT_TO_ANTHROPIC.wrap!(sink, input)
  const r = await c.call(req, wrapped)
  wrapped.end?.(r)
  return { sink, r, wrapped }
}

test('non-streaming: Anthropic message -> OpenAI chat.completion with usage', async (t) => {
  const { c } = await setup(t)
  const { sink, r } = await translatedCall(c)
  const j = JSON.parse(sink.text()) as { object: string; choices: [{ message: { content: string }; finish_reason: string }]; usage: { completion_tokens: number } }
  assert.equal(j.object, 'chat.completion')
  assert.equal(j.choices[0].finish_reason, 'stop')
  assert.equal(j.usage.completion_tokens, 20)
  assert.equal(r.usage?.completion_tokens, 20)
  assert.equal(r.model, 'claude-x')
})

test('streaming: Anthropic SSE -> OpenAI chunks and [DONE]; usage chunk only when asked', async (t) => {
  const { c } = await setup(t)
  for (const wants of [false, true]) {
    const { sink, r } = await translatedCall(c, { stream: true, clientWantsUsage: wants })
    const ev = sink.text().split('\n\n').filter(Boolean).map((e) => e.slice(6))
    assert.equal(ev.at(-1), '[DONE]')
    const objs = ev.slice(0, -1).map((e) => JSON.parse(e) as { object: string; usage?: unknown })
    assert.ok(objs.every((o) => o.object === 'chat.completion.chunk'))
    assert.equal(objs.some((o) => o.usage !== undefined), wants)
    assert.equal(r.usage?.completion_tokens, 20)
  }
})

test('recorded Anthropic streams through the adapter give the expected OpenAI chunks; a mid-stream error throws after begin', async (t) => {
  const dir = join(packageRoot(), 'fixtures', 'upstream', 'anthropic')
  let bytes = Buffer.alloc(0)
  const srv = createServer((req, res) => {
    req.resume()
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      // in small pieces, so events arrive split across chunks as they do from a real upstream
      for (let i = 0; i < bytes.length; i += 37) res.write(bytes.subarray(i, i + 37))
      res.end()
    })
  })
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r))
  t.after(() => new Promise<void>((r) => srv.close(() => r())))
  const c = createProviderClient({ name: 'claude', type: 'anthropic', baseUrl: `http://127.0.0.1:${(srv.address() as AddressInfo).port}`, apiKey: undefined, headers: {}, timeoutMs: 5000, connections: 1 })
  t.after(() => c.close())
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.sse'))) {
    bytes = readFileSync(join(dir, f))
    const expected = readFileSync(join(dir, f.replace(/\.sse$/, '.chunks.jsonl')), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as unknown)
    const sink = recordingSink()
    const got: unknown[] = []
    const input: TranslateInput = { endpoint: 'chat', body: chat, native: undefined, stream: true, clientWantsUsage: true, promptRewritten: false }
    const wrapped = CHAT_TO_ANTHROPIC.wrap!(sink, input)
    try {
      wrapped.end?.(await c.call(upstreamCall(chat, { ...CHAT_TO_ANTHROPIC.request(input, 'claude-x'), stream: true }), wrapped))
    } catch (e) {
      assert.ok(e instanceof GatewayError)
      got.push({ throws: e.code, message: e.message })
    }
    const chunks = sink.text().split('\n\n').filter(Boolean).map((e) => (e === 'data: [DONE]' ? '[DONE]' : ({ ...(JSON.parse(e.slice(6)) as object), created: 1741000000 } as unknown)))
    assert.deepEqual([...chunks, ...got], expected, f)
  }
})

