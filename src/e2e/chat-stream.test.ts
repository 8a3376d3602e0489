/** Streaming chat end to end (SPEC §4): chunks relayed as they arrive, usage on request, keepalive before the first token. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { startE2E } from '../testing/e2e-specs.js'
import { until } from '../testing/until.js'
import { loadOpenAISchemas, validateOpenAI } from '../testing/openai-schema.js'

const messages = [{ role: 'user' as const, content: 'Count to five' }]

for (const model of ['ext-model', 'sim-model']) {
  test(`a stream through ${model} arrives chunk by chunk in OpenAI's shape`, async (t) => {
    const { client } = await startE2E(t)
    const stream = await client.chat.completions.create({ model, messages, stream: true })
    let text = ''
    let chunks = 0
    const schemas = loadOpenAISchemas()
    for await (const chunk of stream) {
      chunks++
      assert.equal(chunk.object, 'chat.completion.chunk')
      text += chunk.choices[0]?.delta?.content ?? ''
      assert.equal(chunk.usage ?? undefined, undefined, 'no usage chunk unless asked for')
      // OpenAI sends "usage": null on every chunk once usage was requested upstream; its schema omits the null.
      if (chunk.usage === null) delete (chunk as { usage?: unknown }).usage
      if (schemas) assert.deepEqual(validateOpenAI('CreateChatCompletionStreamResponse', chunk), [])
    }
    assert.ok(chunks > 1, `expected several chunks, got ${chunks}`)
    assert.ok(text.length > 0)
  })
}

test('stream_options.include_usage gives a final usage chunk', async (t) => {
  const { client } = await startE2E(t)
  const stream = await client.chat.completions.create({ model: 'ext-model', messages, stream: true, stream_options: { include_usage: true } })
  let usage: { total_tokens: number } | undefined
  for await (const chunk of stream) if (chunk.usage) usage = chunk.usage
  assert.ok(usage && usage.total_tokens > 0)
})

test('response headers go out when the upstream answers: SSE content type and x-llmgw-*', async (t) => {
  const { gw } = await startE2E(t)
  const res = await fetch(`${gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'ext-model', messages, stream: true }),
  })
  assert.equal(res.status, 200)
  assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/)
  assert.equal(res.headers.get('x-llmgw-provider'), 'ext')
  const body = await res.text()
  assert.match(body, /^data: \{/)
  assert.match(body, /data: \[DONE\]\n\n$/)
})

test('keepalive comments are sent while the upstream is slow to answer', async (t) => {
  const { gw } = await startE2E(t, { server: { sseKeepalive: '40ms' } })
  const res = await fetch(`${gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-mock-latency': '250ms' },
    body: JSON.stringify({ model: 'ext-model', messages, stream: true }),
  })
  const body = await res.text()
  assert.match(body, /^: keepalive\n\n/)
  assert.match(body, /data: \[DONE\]\n\n$/)
})

test('keepalive comments also fill long gaps between tokens after the upstream answered, with its headers', async (t) => {
  const { gw } = await startE2E(t, { server: { sseKeepalive: '40ms' } })
  const res = await fetch(`${gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-mock-tokens-per-second': '4', 'x-mock-answer-tokens': '3' },
    body: JSON.stringify({ model: 'ext-model', messages, stream: true, max_tokens: 3 }),
    signal: AbortSignal.timeout(5000),
  })
  assert.equal(res.headers.get('x-llmgw-provider'), 'ext', 'the upstream answered first: its routing headers went out')
  const body = await res.text()
  assert.match(body, /^data: \{/)
  assert.match(body, /data: \{[^\n]*\n\n: keepalive\n\n/, 'a comment between tokens 250 ms apart')
  assert.match(body, /data: \[DONE\]\n\n$/)
})

test('server.requestTimeout bounds a whole stream: a longer one ends with an upstream_timeout event, still accounted', async (t) => {
  const { gw } = await startE2E(t, { server: { requestTimeout: '400ms' } })
  for (const model of ['ext-model', 'sim-model']) {
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      // 20 tokens at 10 per second: 2 s, five times the request timeout; each gap (100 ms) is well within it
      headers: { 'content-type': 'application/json', 'x-mock-tokens-per-second': '10', 'x-mock-answer-tokens': '20' },
      body: JSON.stringify({ model, messages, stream: true, max_tokens: 20 }),
      signal: AbortSignal.timeout(5000),
    })
    assert.equal(res.status, 200, model)
    const body = await res.text()
    assert.match(body, /^data: \{/, model)
    assert.match(body, /data: \{"error":\{"message":"[^"]*","type":"[^"]+","param":null,"code":"upstream_timeout"\}\}\n\n$/, model)
    assert.doesNotMatch(body, /\[DONE\]/, model)
    // how many came before the cut depends on the machine: what matters is that the stream was cut, not how late
    const tokens = (body.match(/"delta":\{"content":"[^"]/g) ?? []).length
    assert.ok(tokens < 20, `${model}: ${tokens} of 20 tokens relayed, the stream was not cut`)
  }
  // a cut stream without upstream usage is counted with the tokenizer, loaded on first need (hundreds of ms on a
  // busy machine): its record lands after the response ended, so wait for both before reading
  let metrics = ''
  await until('both cut streams to be recorded', async () => {
    metrics = await (await fetch(`${gw.url}/metrics`)).text()
    return (metrics.match(/^llmgw_requests_total\{[^}]*status="504"[^}]*\} /gm) ?? []).length === 2
  })
  assert.match(metrics, /^llmgw_requests_total\{[^}]*model="ext-model"[^}]*status="504"[^}]*\} 1$/m)
  assert.match(metrics, /^llmgw_tokens_total\{[^}]*model="ext-model"[^}]*direction="output"[^}]*\} [1-9]/m)
  // the in-process mock provider accounts its cut streams too
  assert.match(metrics, /^llmgw_requests_total\{[^}]*model="sim-model"[^}]*status="504"[^}]*\} 1$/m)
  assert.match(metrics, /^llmgw_tokens_total\{[^}]*model="sim-model"[^}]*direction="output"[^}]*\} [1-9]/m)
})

test('a broken upstream stream ends with an SSE error event, never a hang', async (t) => {
  const { gw } = await startE2E(t)
  for (const fail of ['bad-sse', 'reset']) {
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-mock-fail': fail },
      body: JSON.stringify({ model: 'ext-model', messages, stream: true }),
      signal: AbortSignal.timeout(5000),
    })
    const body = await res.text()
    if (res.status === 200) assert.match(body, /data: \{"error":\{"message":"[^"]*","type":"upstream_error"/, fail)
    else assert.equal(res.status, 502, `${fail}: ${body}`)
  }
})
