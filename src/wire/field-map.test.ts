/** The declarative field mapping (SPEC §3 providers[].grpc/graphql) and the text answer formats, as pure codecs. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { compileAnswerPaths, compileRequestMap, readPath, parseFieldPath } from './field-map.js'
import { createTextAnswer, parseFinishReason } from './text-answer.js'

const body = {
  model: 'm1',
  messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content: [{ type: 'text', text: 'hi' }] }],
  max_completion_tokens: 7,
  stop: 'END',
  temperature: 0.2,
}

test('request map: sources from the chat body, nested paths and list indexes, constants, absent sources left out', () => {
  const build = compileRequestMap({
    model_id: 'model',
    'requests.0.text': 'lastMessage',
    'params.stopping.max_new_tokens': 'max_tokens',
    'params.stopping.stop_sequences': 'stop',
    'params.sampling.seed': 'seed',
    'meta.system': 'system',
    'meta.tenant': { const: 'acme' },
    stream: 'stream',
  })
  assert.deepEqual(build({ body, stream: true, requestId: 'r1' }), {
    model_id: 'm1',
    requests: [{ text: 'hi' }],
    params: { stopping: { max_new_tokens: 7, stop_sequences: ['END'] } },
    meta: { system: 'be brief', tenant: 'acme' },
    stream: true,
  })
})

test('answer paths: text, finish and usage (both counts, else none)', () => {
  const read = compileAnswerPaths({ text: 'responses.0.text', finishReason: 'responses.0.stop', promptTokens: 'responses.0.in', completionTokens: 'responses.0.out' })
  assert.deepEqual(read({ responses: [{ text: 'yo', stop: 'MAX_TOKENS', in: 3, out: '4' }] }), { text: 'yo', finish: 'MAX_TOKENS', usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 } })
  assert.deepEqual(read({ responses: [{ text: 'yo', in: 3 }] }).usage, undefined)
  assert.deepEqual(read({}), { text: '', finish: undefined, usage: undefined })
  assert.equal(readPath({ a: [{ b: 1 }] }, parseFieldPath('a.0.b')), 1)
  assert.equal(readPath({ a: 'x' }, parseFieldPath('a.b.c')), undefined)
})

test('finish reasons: length for max/length/token limits, else stop', () => {
  for (const v of ['MAX_TOKENS', 'length', 'TOKEN_LIMIT', 'max_new_tokens']) assert.equal(parseFinishReason(v), 'length', v)
  for (const v of ['EOS_TOKEN', 'STOP_SEQUENCE', 'stop', undefined, null, '']) assert.equal(parseFinishReason(v), 'stop', String(v))
})

test('text answer: a chat completion, a chat stream (role first, usage when asked, [DONE]) and a completions stream', () => {
  const usage = { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 }
  const chat = createTextAnswer({ endpoint: 'chat', clientFormat: 'openai', model: 'm', includeUsage: true, id: 'x' })
  const whole = JSON.parse(chat.whole('hey', 'stop', usage))
  assert.equal(whole.object, 'chat.completion')
  assert.equal(whole.choices[0].message.content, 'hey')
  assert.deepEqual(whole.usage, usage)
  const events = [...chat.delta('a'), ...chat.delta('b'), ...chat.end('length', usage)].map((e) => e.slice('data: '.length).trim())
  assert.equal(events.at(-1), '[DONE]')
  const objs = events.slice(0, -1).map((e) => JSON.parse(e))
  assert.deepEqual(objs[0].choices[0].delta, { role: 'assistant', content: 'a' })
  assert.deepEqual(objs[1].choices[0].delta, { content: 'b' })
  assert.equal(objs[2].choices[0].finish_reason, 'length')
  assert.deepEqual(objs[3].choices, [])
  assert.deepEqual(objs[3].usage, usage)

  const cmpl = createTextAnswer({ endpoint: 'completions', clientFormat: 'openai', model: 'm', includeUsage: false, id: 'y' })
  const cs = [...cmpl.delta('t'), ...cmpl.end('stop', usage)]
  assert.equal(cs.length, 3, 'text, finish, [DONE]: no usage chunk unasked')
  assert.equal(JSON.parse(cs[0]!.slice(6)).choices[0].text, 't')
})

test('text answer for an Anthropic client: a message, and a stream ending with message_stop', () => {
  const usage = { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 }
  const a = createTextAnswer({ endpoint: 'chat', clientFormat: 'anthropic', model: 'm', includeUsage: false, id: 'z' })
  const msg = JSON.parse(a.whole('hello', 'length', usage))
  assert.equal(msg.type, 'message')
  assert.equal(msg.stop_reason, 'max_tokens')
  const sse = [...a.delta('he'), ...a.delta('llo'), ...a.end('stop', usage)].join('')
  assert.match(sse, /event: message_start/)
  assert.match(sse, /"text_delta","text":"he"/)
  assert.match(sse, /event: message_stop/)
})
