/**
 * Chat answer -> Responses object and event stream (wire/responses-response.ts, responses-stream.ts). The stream is read
 * back with the openai SDK's own accumulator (the code `responses.stream()` runs), which throws on any event out of
 * order; ../shared/openai-schemas.json has no Responses API schemas, so the SDK's parsing is the shape check here.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { accumulateResponse } from 'openai/lib/responses/ResponseAccumulator'
import type { ResponseStreamEvent, Response } from 'openai/resources/responses/responses'
import { chatToResponsesResponse, createChatToResponsesStream } from './responses.js'

const req = { model: 'gpt-x', input: 'hi', instructions: 'sys', metadata: { k: 'v' }, max_output_tokens: 99 }
const usage = { prompt_tokens: 5, completion_tokens: 7, total_tokens: 12, prompt_tokens_details: { cached_tokens: 2 }, completion_tokens_details: { reasoning_tokens: 3 } }
const chunk = (delta: object, finish: string | null = null, extra: object = {}) => ({
  id: 'chatcmpl-abc', object: 'chat.completion.chunk', created: 1700000000, model: 'gpt-x-1', choices: [{ index: 0, delta, finish_reason: finish }], ...extra,
})

/** SSE text -> events, checking the `event:` line names the data's type. */
function events(sse: string): ResponseStreamEvent[] {
  return sse.split('\n\n').filter(Boolean).map((e) => {
    const [ev, data] = e.split('\n')
    const obj = JSON.parse(data!.slice('data: '.length)) as ResponseStreamEvent
    assert.equal(ev, `event: ${obj.type}`)
    return obj
  })
}

function play(chunks: object[], fallback?: { prompt_tokens: number; completion_tokens: number; total_tokens: number }) {
  const tr = createChatToResponsesStream(req)
  let sse = ''
  for (const c of chunks) sse += tr.push(c as Record<string, unknown>).join('')
  sse += tr.finish(fallback).join('')
  const evs = events(sse)
  let snap: Response | undefined
  for (const e of evs) snap = accumulateResponse(e, snap)
  assert.deepEqual(evs.map((e) => e.sequence_number), evs.map((_, i) => i), 'sequence numbers count from 0')
  const last = evs[evs.length - 1] as { response: Response }
  return { tr, evs, types: evs.map((e) => e.type), snap: snap!, final: last.response }
}

test('a chat completion becomes a response: message item, usage with details, ids, echoed settings', () => {
  const r = chatToResponsesResponse(
    { id: 'chatcmpl-abc', object: 'chat.completion', created: 1700000000, model: 'gpt-x-1', choices: [{ index: 0, message: { role: 'assistant', content: 'Hello.' }, finish_reason: 'stop' }], usage },
    req,
  ) as unknown as Response
  assert.equal(r.id, 'resp_abc')
  assert.equal(r.object, 'response')
  assert.equal(r.status, 'completed')
  assert.equal(r.created_at, 1700000000)
  assert.equal(r.model, 'gpt-x-1')
  assert.equal(r.instructions, 'sys')
  assert.equal(r.max_output_tokens, 99)
  assert.deepEqual(r.metadata, { k: 'v' })
  assert.deepEqual(r.output, [{ id: 'msg_abc', type: 'message', status: 'completed', role: 'assistant', content: [{ type: 'output_text', annotations: [], logprobs: [], text: 'Hello.' }] }])
  assert.deepEqual(r.usage, { input_tokens: 5, input_tokens_details: { cached_tokens: 2 }, output_tokens: 7, output_tokens_details: { reasoning_tokens: 3 }, total_tokens: 12 })
})

test('tool calls become function_call items; length is incomplete with max_output_tokens; reasoning_content a reasoning item', () => {
  const r = chatToResponsesResponse(
    {
      id: 'chatcmpl-t', created: 1, model: 'm',
      choices: [{ index: 0, finish_reason: 'tool_calls', message: { role: 'assistant', content: null, tool_calls: [{ id: 'call_9', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }] } }],
    },
    req,
  ) as unknown as Response
  assert.deepEqual(r.output, [{ id: 'fc_9', type: 'function_call', status: 'completed', arguments: '{"a":1}', call_id: 'call_9', name: 'f' }])
  assert.equal(r.usage, null)
  const cut = chatToResponsesResponse({ id: 'x', choices: [{ index: 0, finish_reason: 'length', message: { content: 'Hel', reasoning_content: 'think' } }] }, req) as unknown as Response
  assert.equal(cut.status, 'incomplete')
  assert.deepEqual(cut.incomplete_details, { reason: 'max_output_tokens' })
  assert.deepEqual(cut.output.map((o) => o.type), ['reasoning', 'message'])
  const empty = chatToResponsesResponse({ id: 'x', choices: [{ index: 0, finish_reason: 'stop', message: { content: '' } }] }, req) as unknown as Response
  assert.equal(empty.output.length, 1, 'an empty answer is one empty message')
})

test('a text stream: the events in OpenAI order, deltas joined, usage in response.completed', () => {
  const { tr, types, snap, final, evs } = play([
    chunk({ role: 'assistant', content: '' }),
    chunk({ content: 'Hel' }),
    chunk({ content: 'lo.' }),
    chunk({}, 'stop'),
    { ...chunk({}), choices: [], usage },
  ])
  assert.deepEqual(types, [
    'response.created', 'response.in_progress', 'response.output_item.added', 'response.content_part.added',
    'response.output_text.delta', 'response.output_text.delta', 'response.output_text.done', 'response.content_part.done',
    'response.output_item.done', 'response.completed',
  ])
  assert.equal((evs[0] as { response: Response }).response.status, 'in_progress')
  assert.equal(final.status, 'completed')
  assert.equal(final.id, 'resp_abc')
  assert.equal(snap.output_text, 'Hello.')
  assert.deepEqual(final.output, snap.output, 'the completed response holds what the deltas built')
  assert.equal(final.usage?.input_tokens_details.cached_tokens, 2)
  assert.equal(final.usage?.total_tokens, 12)
  assert.equal(tr.text, 'Hello.')
  assert.equal(tr.complete, true)
  assert.deepEqual(tr.usage, { prompt_tokens: 5, completion_tokens: 7, total_tokens: 12 })
  assert.equal(tr.model, 'gpt-x-1')
  assert.deepEqual(tr.finish(), [], 'finish twice sends nothing more')
})

test('text then two tool calls: the message closes before the first call, arguments stream as deltas', () => {
  const { types, final } = play([
    chunk({ role: 'assistant', content: 'Let me check.' }),
    chunk({ tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '' } }] }),
    chunk({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }),
    chunk({ tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] }),
    chunk({ tool_calls: [{ index: 1, id: 'call_b', type: 'function', function: { name: 'get_time', arguments: '{}' } }] }),
    chunk({}, 'tool_calls'),
  ], { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 })
  assert.deepEqual(types.slice(2), [
    'response.output_item.added', 'response.content_part.added', 'response.output_text.delta',
    'response.output_text.done', 'response.content_part.done', 'response.output_item.done',
    'response.output_item.added', 'response.function_call_arguments.delta', 'response.function_call_arguments.delta',
    'response.output_item.added', 'response.function_call_arguments.delta',
    'response.function_call_arguments.done', 'response.output_item.done',
    'response.function_call_arguments.done', 'response.output_item.done', 'response.completed',
  ])
  assert.deepEqual(final.output.map((o) => o.type), ['message', 'function_call', 'function_call'])
  const call = final.output[1] as { call_id: string; name: string; arguments: string; status: string }
  assert.deepEqual([call.call_id, call.name, call.arguments, call.status], ['call_a', 'get_weather', '{"city":"Paris"}', 'completed'])
  assert.equal(final.usage?.total_tokens, 3, 'fallback usage when the upstream sent none')
})

test('streamed reasoning_content is a reasoning item with its summary; a cut answer ends with response.incomplete', () => {
  const { types, final, snap } = play([chunk({ reasoning_content: 'hm' }), chunk({ content: 'A' }), chunk({}, 'length')])
  assert.ok(types.includes('response.reasoning_summary_text.delta'))
  assert.equal(types[types.length - 1], 'response.incomplete')
  assert.equal(final.status, 'incomplete')
  assert.deepEqual(final.incomplete_details, { reason: 'max_output_tokens' })
  assert.deepEqual(final.output.map((o) => o.type), ['reasoning', 'message'])
  assert.equal(snap.output_text, 'A')
})

test('a stream with no chunk at all still opens and closes a response (one empty message)', () => {
  const { types, final } = play([])
  assert.deepEqual(types[0], 'response.created')
  assert.equal(final.output.length, 1)
  assert.equal(final.usage, null)
})

test('a streamed refusal is a message item with a refusal part (response.refusal.delta / .done)', () => {
  const { types, final } = play([chunk({ role: 'assistant', content: null, refusal: '' }), chunk({ refusal: 'I can' }), chunk({ refusal: 'not.' }), chunk({}, 'stop')])
  assert.deepEqual(types.filter((x) => x.startsWith('response.refusal')), ['response.refusal.delta', 'response.refusal.delta', 'response.refusal.done'])
  assert.deepEqual((final.output[0] as { content: unknown[] }).content, [{ type: 'refusal', refusal: 'I cannot.' }])
})

test('two calls sent at the same index with different ids are two function_call items', () => {
  const { final } = play([
    chunk({ tool_calls: [{ index: 0, id: 'call_x', function: { name: 'f', arguments: '{"a":1}' } }] }),
    chunk({ tool_calls: [{ index: 0, id: 'call_y', function: { name: 'g', arguments: '{}' } }] }),
    chunk({}, 'tool_calls'),
  ])
  assert.deepEqual(final.output.map((o) => (o as { call_id: string }).call_id), ['call_x', 'call_y'])
  assert.deepEqual(final.output.map((o) => (o as { arguments: string }).arguments), ['{"a":1}', '{}'])
})

test('plain text chunks take the fast path and give byte for byte the events the parsed path gives', async () => {
  const { createChatToResponsesStream, plainContentDelta } = await import('./responses-stream.js')
  const chunk = (delta: Record<string, unknown>, finish: string | null = null, extra: Record<string, unknown> = { usage: null }) =>
    JSON.stringify({ id: 'chatcmpl-7', object: 'chat.completion.chunk', created: 1700000000, model: 'm-1', choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], ...extra })
  const datas = [
    chunk({ role: 'assistant', content: '' }),
    chunk({ content: 'One' }),
    chunk({ content: ', two' }, null, {}), // no usage key at all
    chunk({ content: '' }),
    chunk({ content: 'he said "hi"\n' }), // escapes: the parsed path
    chunk({ content: ' drei — 三 🙂' }),
    chunk({}, 'stop'),
    JSON.stringify({ id: 'chatcmpl-7', object: 'chat.completion.chunk', created: 1700000000, model: 'm-1', choices: [], usage: { prompt_tokens: 5, completion_tokens: 6, total_tokens: 11 } }),
  ]
  const req = { model: 'm-1', input: 'count' }
  const slow = createChatToResponsesStream(req)
  const fast = createChatToResponsesStream(req)
  let a = ''
  let b = ''
  let taken = 0
  for (const d of datas) {
    a += slow.push(JSON.parse(d)).join('')
    const q = plainContentDelta(d)
    const r = q === undefined ? undefined : fast.pushText(q)
    if (r !== undefined) taken++
    b += (r ?? fast.push(JSON.parse(d))).join('')
  }
  a += slow.finish().join('')
  b += fast.finish().join('')
  assert.equal(b, a)
  assert.equal(taken, 4) // 'One', ', two', '', the non-ASCII one; the first chunk starts the response, the escaped one is parsed
  assert.deepEqual([fast.text, fast.usage, fast.complete], [slow.text, slow.usage, slow.complete])
})

test('plainContentDelta takes only the exact text shape', async () => {
  const { plainContentDelta } = await import('./responses-stream.js')
  const base = (choices: string, tail = ',"usage":null}') => `{"id":"x","object":"chat.completion.chunk","created":1,"model":"m",${choices}${tail}`
  assert.equal(plainContentDelta(base('"choices":[{"index":0,"delta":{"content":"ab c"},"logprobs":null,"finish_reason":null}]')), '"ab c"')
  assert.equal(plainContentDelta(base('"choices":[{"index":0,"delta":{"content":"ab"},"logprobs":null,"finish_reason":null}]', '}')), '"ab"')
  for (const choices of [
    '"choices":[{"index":0,"delta":{"content":"a\\"b"},"logprobs":null,"finish_reason":null}]', // escaped quote
    '"choices":[{"index":0,"delta":{"content":"a\u0001b"},"logprobs":null,"finish_reason":null}]', // a raw control character (invalid JSON)
    '"choices":[{"index":0,"delta":{"content":"a\\\\b"},"logprobs":null,"finish_reason":null}]', // an escaped backslash
    '"choices":[{"index":0,"delta":{"content":"a","role":"assistant"},"logprobs":null,"finish_reason":null}]', // more in the delta
    '"choices":[{"index":0,"delta":{"content":"a"},"logprobs":null,"finish_reason":"stop"}]', // the finish
    '"choices":[{"index":1,"delta":{"content":"a"},"logprobs":null,"finish_reason":null}]', // another choice
    '"choices":[{"index":0,"delta":{"content":"a"},"logprobs":{"content":[]},"finish_reason":null}]', // logprobs
    '"choices":[{"delta":{"content":"a"},"index":0,"logprobs":null,"finish_reason":null}]', // another key order
  ])
    assert.equal(plainContentDelta(base(choices)), undefined, choices)
  assert.equal(plainContentDelta(base('"choices":[{"index":0,"delta":{"content":"a"},"logprobs":null,"finish_reason":null}]', ',"usage":{"prompt_tokens":1}}')), undefined)
})
