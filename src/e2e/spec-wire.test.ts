/** Black-box acceptance of the SPEC §4 endpoints on the wire: SSE relay, keepalive, usage chunk, /v1/messages, /v1/ws, embeddings, completions, headers. */
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import OpenAI from 'openai'
import { WebSocket } from 'undici'
import { startTestGateway, startTestMock } from '../testing/harness.js'
import { loadOpenAISchemas, validateOpenAI } from '../testing/openai-schema.js'

const messages = [{ role: 'user' as const, content: 'hi' }]

async function gateway(t: TestContext) {
  const mock = await startTestMock({ t, latencyMs: 0 })
  const up = { type: 'openai', baseUrl: `${mock.url}/v1`, apiKey: 'sk-spec-wire-upstream', timeout: '5s' }
  const gw = await startTestGateway(
    {
      version: 1,
      server: { sseKeepalive: '50ms' },
      providers: [
        { name: 'up', ...up },
        { name: 'late', ...up, headers: { 'x-mock-latency': '400ms' } },
        { name: 'drip', ...up, headers: { 'x-mock-tokens-per-second': '20', 'x-mock-answer-tokens': '200' } },
        { name: 'anthropic', type: 'anthropic', baseUrl: mock.url, apiKey: 'sk-spec-wire-anthropic', timeout: '5s' },
      ],
      models: [
        { name: 'chat', targets: [{ provider: 'up', model: 'mock-1' }] },
        { name: 'late', targets: [{ provider: 'late', model: 'mock-1' }] },
        { name: 'drip', targets: [{ provider: 'drip', model: 'mock-1' }] },
        { name: 'embed', targets: [{ provider: 'up', model: 'mock-embed-1' }] },
        { name: 'claude', targets: [{ provider: 'anthropic', model: 'claude-x' }] },
      ],
    },
    { t },
  )
  return { gw, mock }
}

const post = (url: string, body: object, headers: Record<string, string> = {}, signal = AbortSignal.timeout(8000)) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body), signal })

const dataEvents = (text: string): string[] => text.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6))

const schemaOk = (name: string, value: unknown): void => {
  if (loadOpenAISchemas()) assert.deepEqual(validateOpenAI(name, value), [], `${name}: ${JSON.stringify(value).slice(0, 200)}`)
}

test('chat: x-request-id echoed (or new and unique), x-llmgw-provider/model/attempts, body is a CreateChatCompletionResponse', async (t) => {
  const { gw } = await gateway(t)
  const echoed = await post(`${gw.url}/v1/chat/completions`, { model: 'chat', messages }, { 'x-request-id': 'qa-req-42' })
  assert.equal(echoed.status, 200)
  assert.equal(echoed.headers.get('x-request-id'), 'qa-req-42')
  assert.equal(echoed.headers.get('x-llmgw-provider'), 'up')
  assert.equal(echoed.headers.get('x-llmgw-model'), 'mock-1')
  assert.equal(echoed.headers.get('x-llmgw-attempts'), '1')
  schemaOk('CreateChatCompletionResponse', await echoed.json())
  const a = await post(`${gw.url}/v1/chat/completions`, { model: 'chat', messages })
  const b = await post(`${gw.url}/v1/chat/completions`, { model: 'chat', messages })
  await Promise.all([a.text(), b.text()])
  assert.ok(a.headers.get('x-request-id'))
  assert.notEqual(a.headers.get('x-request-id'), b.headers.get('x-request-id'))
})

test('stream: SSE chunks that validate, [DONE] last, usage chunk only when asked; the SDK reads it', async (t) => {
  const { gw } = await gateway(t)
  const plain = await post(`${gw.url}/v1/chat/completions`, { model: 'chat', messages, stream: true })
  assert.equal(plain.status, 200)
  assert.match(plain.headers.get('content-type') ?? '', /^text\/event-stream/)
  assert.equal(plain.headers.get('x-llmgw-provider'), 'up')
  const events = dataEvents(await plain.text())
  assert.equal(events.at(-1), '[DONE]')
  const chunks = events.slice(0, -1).map((e) => JSON.parse(e) as { choices: unknown[]; usage?: unknown })
  assert.ok(chunks.length > 2)
  for (const c of chunks) schemaOk('CreateChatCompletionStreamResponse', c)
  assert.ok(chunks.every((c) => c.choices.length > 0 && !c.usage), 'no usage chunk when the client did not ask')
  const withUsage = dataEvents(await (await post(`${gw.url}/v1/chat/completions`, { model: 'chat', messages, stream: true, stream_options: { include_usage: true } })).text())
  const last = JSON.parse(withUsage.at(-2)!) as { choices: unknown[]; usage: { total_tokens: number } }
  assert.deepEqual(last.choices, [])
  assert.ok(last.usage.total_tokens > 0)
  const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'x', maxRetries: 0, timeout: 10_000 })
  let text = ''
  for await (const chunk of await client.chat.completions.create({ model: 'chat', messages, stream: true })) text += chunk.choices[0]?.delta.content ?? ''
  assert.ok(text.length > 0)
})

test('stream: sseKeepalive comments while waiting for the first token; chunks arrive one by one, not buffered', async (t) => {
  const { gw } = await gateway(t)
  const res = await post(`${gw.url}/v1/chat/completions`, { model: 'late', messages, stream: true })
  const text = await res.text()
  const firstData = text.indexOf('data: ')
  assert.match(text.slice(0, firstData), /^:.*\n/m, 'an SSE comment before the first data event')
  const drip = await post(`${gw.url}/v1/chat/completions`, { model: 'drip', messages, stream: true, max_tokens: 200 })
  const reader = drip.body!.getReader()
  const first = await reader.read()
  assert.ok(!first.done)
  assert.ok(!new TextDecoder().decode(first.value).includes('[DONE]'), 'the first read is not the whole stream')
  await reader.cancel()
})

test('client disconnect aborts the upstream request', async (t) => {
  const { gw, mock } = await gateway(t)
  const ac = new AbortController()
  const res = await post(`${gw.url}/v1/chat/completions`, { model: 'drip', messages, stream: true, max_tokens: 200 }, {}, ac.signal)
  await res.body!.getReader().read()
  const before = mock.stats().aborted
  ac.abort()
  const end = Date.now() + 5000
  while (mock.stats().aborted === before && Date.now() < end) await new Promise((r) => setTimeout(r, 20))
  assert.equal(mock.stats().aborted, before + 1)
})

test('/v1/completions and /v1/embeddings answer in OpenAI shape', async (t) => {
  const { gw } = await gateway(t)
  const comp = await post(`${gw.url}/v1/completions`, { model: 'chat', prompt: 'hi', max_tokens: 5 })
  assert.equal(comp.status, 200)
  schemaOk('CreateCompletionResponse', await comp.json())
  const emb = await post(`${gw.url}/v1/embeddings`, { model: 'embed', input: ['a', 'b'] })
  assert.equal(emb.status, 200)
  const body = (await emb.json()) as { data: Array<{ index: number }> }
  schemaOk('CreateEmbeddingResponse', body)
  assert.deepEqual(body.data.map((d) => d.index), [0, 1])
})

test('/v1/messages: Anthropic in and out, streaming included', async (t) => {
  const { gw } = await gateway(t)
  const res = await post(`${gw.url}/v1/messages`, { model: 'chat', max_tokens: 50, messages })
  assert.equal(res.status, 200)
  const msg = (await res.json()) as { type: string; role: string; content: Array<{ type: string; text: string }>; usage: { input_tokens: number; output_tokens: number } }
  assert.equal(msg.type, 'message')
  assert.equal(msg.role, 'assistant')
  assert.equal(msg.content[0]?.type, 'text')
  assert.ok(msg.content[0]!.text.length > 0)
  assert.ok(msg.usage.output_tokens > 0)
  const stream = await post(`${gw.url}/v1/messages`, { model: 'chat', max_tokens: 50, messages, stream: true })
  const events = (await stream.text()).split('\n').filter((l) => l.startsWith('event: ')).map((l) => l.slice(7))
  assert.equal(events[0], 'message_start')
  assert.ok(events.includes('content_block_delta'))
  assert.equal(events.at(-1), 'message_stop')
})

test('/v1/ws: chunk JSONs then {"type":"done"}; a bad message gets an in-band error and the socket stays usable', async (t) => {
  const { gw } = await gateway(t)
  const plain = await fetch(`${gw.url}/v1/ws`)
  assert.equal(plain.status, 400, 'a plain GET without Upgrade says a WebSocket is needed')
  assert.match(((await plain.json()) as { error: { message: string } }).error.message, /upgrade|websocket/i)
  const ws = new WebSocket(`${gw.url.replace('http', 'ws')}/v1/ws`)
  t.after(() => ws.close())
  const inbox: string[] = []
  let wake = () => {}
  ws.addEventListener('message', (e) => {
    inbox.push(String(e.data))
    wake()
  })
  await new Promise<void>((resolve, reject) => {
    ws.addEventListener('open', () => resolve())
    ws.addEventListener('error', () => reject(new Error('ws error')))
  })
  const exchange = async (msg: string): Promise<unknown[]> => {
    inbox.length = 0
    ws.send(msg)
    const end = Date.now() + 8000
    while (!inbox.some((m) => m.includes('"done"'))) {
      if (Date.now() > end) throw new Error(`no done: ${inbox.join('\n')}`)
      await new Promise<void>((r) => {
        wake = r
        setTimeout(r, 100)
      })
    }
    return inbox.map((m) => JSON.parse(m) as unknown)
  }
  const ok = await exchange(JSON.stringify({ model: 'chat', messages }))
  assert.deepEqual(ok.at(-1), { type: 'done' })
  for (const c of ok.slice(0, -1)) schemaOk('CreateChatCompletionStreamResponse', c)
  const bad = await exchange('{not json')
  assert.equal((bad[0] as { error: { code: string } }).error.code, 'invalid_json')
  const unknown = await exchange(JSON.stringify({ model: 'nope', messages }))
  assert.equal((unknown[0] as { error: { code: string } }).error.code, 'model_not_found')
  assert.ok((await exchange(JSON.stringify({ model: 'chat', messages }))).length > 2)
})

test('/v1/ws: closing the socket mid-stream aborts the upstream request', async (t) => {
  const { gw, mock } = await gateway(t)
  const ws = new WebSocket(`${gw.url.replace('http', 'ws')}/v1/ws`)
  t.after(() => ws.close())
  await new Promise<void>((resolve, reject) => {
    ws.addEventListener('open', () => resolve())
    ws.addEventListener('error', () => reject(new Error('ws error')))
  })
  const before = mock.stats().aborted
  const first = new Promise<void>((resolve) => ws.addEventListener('message', () => resolve(), { once: true }))
  ws.send(JSON.stringify({ model: 'drip', messages, max_tokens: 200 }))
  await first
  ws.close()
  const end = Date.now() + 5000
  while (mock.stats().aborted === before && Date.now() < end) await new Promise((r) => setTimeout(r, 20))
  assert.equal(mock.stats().aborted, before + 1)
})

test('anthropic provider: OpenAI chat translated both ways (incl. stream), n > 1 refused; /v1/messages accepts tool use', async (t) => {
  const { gw } = await gateway(t)
  const chat = await post(`${gw.url}/v1/chat/completions`, { model: 'claude', messages: [{ role: 'system', content: 'be brief' }, ...messages] })
  assert.equal(chat.status, 200)
  assert.equal(chat.headers.get('x-llmgw-provider'), 'anthropic')
  schemaOk('CreateChatCompletionResponse', await chat.json())
  const events = dataEvents(await (await post(`${gw.url}/v1/chat/completions`, { model: 'claude', messages, stream: true })).text())
  assert.equal(events.at(-1), '[DONE]')
  for (const e of events.slice(0, -1)) schemaOk('CreateChatCompletionStreamResponse', JSON.parse(e))
  const n2 = await post(`${gw.url}/v1/chat/completions`, { model: 'claude', messages, n: 2 })
  assert.equal(n2.status, 400)
  assert.equal(((await n2.json()) as { error: { param: string } }).error.param, 'n')
  // a wrong type is the client's 400 before any upstream call, whatever the provider (it was dropped in translation)
  const nullPart = await post(`${gw.url}/v1/chat/completions`, { model: 'claude', messages: [{ role: 'user', content: [null] }] })
  assert.equal(nullPart.status, 400)
  const nullErr = ((await nullPart.json()) as { error: { code: string; param: string } }).error
  assert.deepEqual([nullErr.code, nullErr.param], ['invalid_request', 'messages[0].content[0]'])
  const tools = await post(`${gw.url}/v1/messages`, {
    model: 'chat',
    max_tokens: 50,
    tools: [{ name: 'lookup', input_schema: { type: 'object', properties: {} } }],
    messages: [
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'lookup', input: {} }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: '42' }] },
    ],
  })
  assert.equal(tools.status, 200, await tools.clone().text())
  assert.equal(((await tools.json()) as { type: string }).type, 'message')
})
