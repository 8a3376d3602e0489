/**
 * The mock speaks OpenAI's wire format exactly: its answers validate against ../shared/openai-schemas.json.
 * The validator below covers the JSON-Schema/OpenAPI subset that file uses ($ref, type, nullable, properties, required,
 * items, enum, anyOf/oneOf/allOf, additionalProperties, min/max). oneOf is checked as anyOf: the file's oneOfs are
 * discriminated unions whose branches can overlap structurally.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { packageRoot } from '../core/package-root.js'
import { formatMockModelList, generateMockAnswer, mockErrorAnswer } from '../wire/mock-answer.js'

type Schema = Record<string, unknown>
const SCHEMAS_FILE = join(packageRoot(), '..', 'shared', 'openai-schemas.json')

function typeOk(t: string, v: unknown): boolean {
  switch (t) {
    case 'null':
      return v === null
    case 'array':
      return Array.isArray(v)
    case 'object':
      return typeof v === 'object' && v !== null && !Array.isArray(v)
    case 'integer':
      return Number.isInteger(v)
    case 'number':
      return typeof v === 'number' && Number.isFinite(v)
    default:
      return typeof v === t
  }
}

function validate(root: Record<string, Schema>, s: Schema, v: unknown, path: string, errs: string[]): void {
  if (v === null && s.nullable === true) return // OpenAPI 3.0: nullable also applies next to a $ref
  if (typeof s.$ref === 'string') return validate(root, root[s.$ref.split('/').pop() as string] as Schema, v, path, errs)
  const sub = (schemas: unknown) => (schemas as Schema[]).map((x) => {
    const e: string[] = []
    validate(root, x, v, path, e)
    return e
  })
  if (Array.isArray(s.allOf)) for (const e of sub(s.allOf)) errs.push(...e)
  for (const k of ['anyOf', 'oneOf'] as const) {
    if (!Array.isArray(s[k])) continue
    const results = sub(s[k])
    if (!results.some((e) => e.length === 0)) errs.push(`${path}: matches no ${k} branch (${results.map((e) => e[0]).join(' | ')})`)
  }
  if (s.type !== undefined) {
    const types = Array.isArray(s.type) ? (s.type as string[]) : [s.type as string]
    if (!types.some((t) => typeOk(t, v))) return void errs.push(`${path}: expected ${types.join('|')}, got ${JSON.stringify(v)?.slice(0, 60)}`)
  }
  if (Array.isArray(s.enum) && !s.enum.includes(v)) errs.push(`${path}: ${JSON.stringify(v)} not in enum ${JSON.stringify(s.enum)}`)
  if (typeof v === 'number') {
    if (typeof s.minimum === 'number' && v < s.minimum) errs.push(`${path}: below minimum`)
    if (typeof s.maximum === 'number' && v > s.maximum) errs.push(`${path}: above maximum`)
  }
  if (Array.isArray(v)) {
    if (typeof s.minItems === 'number' && v.length < s.minItems) errs.push(`${path}: fewer than minItems`)
    if (typeof s.maxItems === 'number' && v.length > s.maxItems) errs.push(`${path}: more than maxItems`)
    if (s.items) v.forEach((x, i) => validate(root, s.items as Schema, x, `${path}[${i}]`, errs))
  } else if (typeof v === 'object' && v !== null) {
    const o = v as Record<string, unknown>
    for (const r of (s.required as string[] | undefined) ?? []) if (!(r in o)) errs.push(`${path}: missing required '${r}'`)
    const props = (s.properties as Record<string, Schema> | undefined) ?? {}
    for (const [k, x] of Object.entries(o)) {
      if (props[k]) validate(root, props[k], x, `${path}.${k}`, errs)
      else if (s.additionalProperties === false) errs.push(`${path}: unexpected property '${k}'`)
      else if (typeof s.additionalProperties === 'object') validate(root, s.additionalProperties as Schema, x, `${path}.${k}`, errs)
    }
  }
}

function loadSchemas(): Record<string, Schema> | undefined {
  if (!existsSync(SCHEMAS_FILE)) return undefined
  return (JSON.parse(readFileSync(SCHEMAS_FILE, 'utf8')) as { components: { schemas: Record<string, Schema> } }).components.schemas
}

function check(root: Record<string, Schema>, name: string, json: string): void {
  assert.ok(root[name], `schema ${name} exists`)
  const errs: string[] = []
  validate(root, root[name] as Schema, JSON.parse(json), name, errs)
  assert.deepEqual(errs, [], json.slice(0, 200))
}

const dataOf = (parts: readonly string[]) => parts.map((p) => p.slice('data: '.length).trim()).filter((d) => d !== '[DONE]')
const chat = { model: 'mock-1', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hello there' }] }

test('the validator itself rejects wrong shapes (a check that cannot fail is no check)', (t) => {
  const root = loadSchemas()
  if (!root) return t.skip(`absent: ${SCHEMAS_FILE}`)
  const errs: string[] = []
  validate(root, root.CreateChatCompletionResponse as Schema, { id: 1, object: 'chat.completion', choices: [{}] }, 'x', errs)
  assert.ok(errs.length >= 3, errs.join('\n'))
})

test('chat.completion, every chat.completion.chunk (with and without usage) match the OpenAI schemas', (t) => {
  const root = loadSchemas()
  if (!root) return t.skip(`absent: ${SCHEMAS_FILE}`)
  check(root, 'CreateChatCompletionResponse', generateMockAnswer('chat', chat).parts[0] as string)
  check(root, 'CreateChatCompletionResponse', generateMockAnswer('chat', { ...chat, n: 2 }).parts[0] as string)
  for (const d of dataOf(generateMockAnswer('chat', { ...chat, n: 2, stream: true }).parts)) check(root, 'CreateChatCompletionStreamResponse', d)
  for (const include_usage of [true, false]) {
    const a = generateMockAnswer('chat', { ...chat, stream: true, stream_options: { include_usage } })
    assert.equal(a.parts.at(-1), 'data: [DONE]\n\n')
    for (const d of dataOf(a.parts)) check(root, 'CreateChatCompletionStreamResponse', d)
  }
})

test('text_completion, embeddings (floats and base64), model list and error bodies match the OpenAI schemas', (t) => {
  const root = loadSchemas()
  if (!root) return t.skip(`absent: ${SCHEMAS_FILE}`)
  check(root, 'CreateCompletionResponse', generateMockAnswer('completions', { model: 'mock-1', prompt: 'Say hi' }).parts[0] as string)
  const streamed = dataOf(generateMockAnswer('completions', { model: 'mock-1', prompt: 'Say hi', stream: true }).parts)
  // the schema models finished choices only (finish_reason is not nullable), so the closing chunk is the one it can check
  check(root, 'CreateCompletionResponse', streamed.at(-1) as string)
  check(root, 'CreateEmbeddingResponse', generateMockAnswer('embeddings', { model: 'e', input: ['a', 'b'] }).parts[0] as string)
  check(root, 'ListModelsResponse', formatMockModelList())
  for (const status of [400, 429, 500]) check(root, 'ErrorResponse', mockErrorAnswer('chat', status, 'x').parts[0] as string)
})

test('tool-call and json_schema answers (whole and every chunk) match the OpenAI schemas; the Responses API has none there', (t) => {
  const root = loadSchemas()
  if (!root) return t.skip(`absent: ${SCHEMAS_FILE}`)
  const params = { type: 'object', properties: { city: { type: 'string' }, days: { type: 'integer' } }, required: ['city', 'days'] }
  const tools = [{ type: 'function', function: { name: 'get_weather', parameters: params } }, { type: 'function', function: { name: 'get_time', parameters: { type: 'object', properties: {} } } }]
  const withTools = { ...chat, tools, tool_choice: 'required' }
  check(root, 'CreateChatCompletionResponse', generateMockAnswer('chat', withTools, { tool: 'all' }).parts[0] as string)
  for (const d of dataOf(generateMockAnswer('chat', { ...withTools, stream: true, stream_options: { include_usage: true } }, { tool: 'all' }).parts)) check(root, 'CreateChatCompletionStreamResponse', d)
  const json = { ...chat, response_format: { type: 'json_schema', json_schema: { name: 'w', schema: params } } }
  check(root, 'CreateChatCompletionResponse', generateMockAnswer('chat', json).parts[0] as string)
  for (const d of dataOf(generateMockAnswer('chat', { ...json, stream: true }).parts)) check(root, 'CreateChatCompletionStreamResponse', d)
  // what /v1/responses answers is checked by the openai SDK's own parsing instead (src/mock/tools.test.ts, clients.test.ts)
  assert.equal(Object.keys(root).some((k) => k === 'Response' || k.startsWith('ResponseStreamEvent') || k === 'CreateResponse'), false, 'no Responses API schemas in the file: if that changes, check them here')
})
