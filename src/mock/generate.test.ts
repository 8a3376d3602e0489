/** Deterministic mock answers: same request -> same text, max_tokens, 20-chunk default, usage chunk only on request, embeddings. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { generateMockAnswer } from '../wire/mock-answer.js'

const body = (content: string, extra: Record<string, unknown> = {}) => ({ model: 'mock-1', messages: [{ role: 'user', content }], ...extra })
const text = (a: { parts: readonly string[] }) => (JSON.parse(a.parts[0] as string) as { choices: [{ message: { content: string } }] }).choices[0].message.content
const chunks = (a: { parts: readonly string[] }) => a.parts.filter((p) => p !== 'data: [DONE]\n\n').map((p) => JSON.parse(p.slice(6)) as Record<string, unknown>)

test('the same conversation gives the same answer; a different one a different answer', () => {
  assert.equal(text(generateMockAnswer('chat', body('hi'))), text(generateMockAnswer('chat', body('hi'))))
  assert.notEqual(text(generateMockAnswer('chat', body('hi'))), text(generateMockAnswer('chat', body('hello'))))
})

test('default stream: role chunk, 20 content chunks, finish chunk, [DONE]; usage chunk only with include_usage', () => {
  const plain = generateMockAnswer('chat', body('hi', { stream: true }))
  assert.equal(plain.contentType, 'text/event-stream')
  const c = chunks(plain)
  assert.equal(c.length, 22)
  assert.ok(c.every((x) => !('usage' in x)))
  assert.equal(plain.parts.at(-1), 'data: [DONE]\n\n')
  const withUsage = chunks(generateMockAnswer('chat', body('hi', { stream: true, stream_options: { include_usage: true } })))
  assert.equal(withUsage.length, 23)
  assert.deepEqual(withUsage.at(-1)?.choices, [])
  assert.equal((withUsage.at(-1)?.usage as { completion_tokens: number }).completion_tokens, 20)
  const joined = c.map((x) => ((x.choices as [{ delta: { content?: string } }])[0]?.delta.content ?? '')).join('')
  assert.equal(joined, text(generateMockAnswer('chat', body('hi'))))
})

test('max_tokens limits the answer and sets finish_reason length', () => {
  const a = generateMockAnswer('chat', body('hi', { max_tokens: 5 }))
  const j = JSON.parse(a.parts[0] as string) as { choices: [{ finish_reason: string }]; usage: { completion_tokens: number } }
  assert.equal(j.usage.completion_tokens, 5)
  assert.equal(j.choices[0].finish_reason, 'length')
  assert.equal(chunks(generateMockAnswer('chat', body('hi', { stream: true, max_completion_tokens: 3 }))).length, 5)
})

test('the OpenAI and the Anthropic form of one request give the same text', () => {
  const o = generateMockAnswer('chat', { model: 'm', messages: [{ role: 'system', content: 'S' }, { role: 'user', content: 'Q' }] })
  const a = generateMockAnswer('messages', { model: 'm', system: 'S', max_tokens: 100, messages: [{ role: 'user', content: 'Q' }] })
  assert.equal((JSON.parse(a.parts[0] as string) as { content: [{ text: string }] }).content[0].text, text(o))
})

test('embeddings: deterministic unit vectors, dimensions honoured, bad dimensions -> 400', () => {
  const e = (extra: Record<string, unknown>) => generateMockAnswer('embeddings', { model: 'e', input: ['x', 'y'], ...extra })
  const v = JSON.parse(e({}).parts[0] as string) as { data: Array<{ embedding: number[] }> }
  assert.equal(v.data.length, 2)
  assert.equal(v.data[0]?.embedding.length, 8)
  assert.ok(Math.abs(v.data[0]!.embedding.reduce((s, x) => s + x * x, 0) - 1) < 1e-5)
  assert.deepEqual(JSON.parse(e({}).parts[0] as string), v)
  const d3 = JSON.parse(e({ dimensions: 3 }).parts[0] as string) as { data: Array<{ embedding: number[] }> }
  assert.equal(d3.data[1]?.embedding.length, 3)
  const b64 = JSON.parse(e({ encoding_format: 'base64' }).parts[0] as string) as { data: Array<{ embedding: string }> }
  assert.equal(Buffer.from(b64.data[0]!.embedding, 'base64').length, 8 * 4)
  assert.equal(e({ dimensions: 0 }).status, 400)
})

test('bad bodies get a 400 in the endpoint format, never a throw', () => {
  assert.equal(generateMockAnswer('chat', 'nope').status, 400)
  assert.equal(generateMockAnswer('chat', { model: 'm' }).status, 400)
  const a = generateMockAnswer('messages', { model: 'm', messages: 3 })
  assert.equal(a.status, 400)
  assert.equal((JSON.parse(a.parts[0] as string) as { type: string }).type, 'error')
})

test('chat n: that many choices, each its own answer, usage counting them all; streamed chunks interleave and reassemble to them', () => {
  const one = generateMockAnswer('chat', body('hi'))
  const three = generateMockAnswer('chat', body('hi', { n: 3 }))
  const choices = (JSON.parse(three.parts[0] as string) as { choices: Array<{ index: number; message: { content: string } }> }).choices
  assert.deepEqual(choices.map((c) => c.index), [0, 1, 2])
  assert.equal(choices[0]!.message.content, text(one), 'choice 0 is the answer without n')
  assert.equal(new Set(choices.map((c) => c.message.content)).size, 3)
  assert.equal(three.usage?.completion_tokens, 3 * one.usage!.completion_tokens)
  assert.equal(three.usage?.prompt_tokens, one.usage!.prompt_tokens)
  const streamed = chunks(generateMockAnswer('chat', body('hi', { n: 3, stream: true })))
  for (const c of choices) {
    const mine = streamed.flatMap((x) => (x.choices as Array<{ index: number; delta: { content?: string }; finish_reason: string | null }>).filter((ch) => ch.index === c.index))
    assert.equal(mine.map((ch) => ch.delta.content ?? '').join(''), c.message.content)
    assert.equal(mine.at(-1)?.finish_reason, 'stop')
  }
  assert.equal((JSON.parse(generateMockAnswer('chat', body('hi', { n: 1000 })).parts[0] as string) as { choices: unknown[] }).choices.length, 16, 'capped')
})
