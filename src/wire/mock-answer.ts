/** The mock provider's answers in exact OpenAI wire format (SPEC §2 `mock`, §4): pure codecs shared by `llmgw mock` and `type: mock`. */
import { GatewayError } from '../core/errors.js'
import type { HeaderPairs, Usage } from '../core/types.js'
import { anthropicToOpenAIRequest } from './anthropic-openai.js'
import { DONE_DATA, isObject, maxTokensOf } from './openai.js'
import { formatAnthropicMessage, formatAnthropicStream } from './mock-anthropic.js'
import { chatCompletion, chatStream, completionStream, type MockContent, type MockFinish, textCompletion } from './mock-chat.js'
import { jsonPieces, jsonTokens, planJson, planMockAnswer } from './mock-plan.js'
import { answerPieces, answerWords, conversationKey, countWords, createRandom, DEFAULT_ANSWER_TOKENS, hashText } from './mock-text.js'
import { chatToResponsesResponse, createChatToResponsesStream, parseResponsesRequest } from './responses.js'

export type MockEndpoint = 'chat' | 'completions' | 'embeddings' | 'messages' | 'responses' | 'count_tokens'

/** A whole answer, ready to play: parts[0] alone for JSON, one SSE event per part for streams. */
export interface MockAnswer {
  readonly status: number
  readonly contentType: string
  readonly headers: HeaderPairs
  readonly stream: boolean
  readonly parts: readonly string[]
  readonly usage: Usage | undefined
}

export interface MockOptions {
  /** Answer length before max_tokens applies (default 20; header x-mock-answer-tokens). */
  answerTokens?: number
  /** Epoch seconds for `created` (tests pin it). */
  created?: number
  /** The x-mock-tool control: a tool name, `all` or `none` (wire/mock-plan.ts). */
  tool?: string
  /** A `messages` body already in the canonical chat shape (the in-process mock gets the gateway's translation). */
  chatBody?: boolean
}

export const MOCK_MODELS = ['mock-1', 'mock-embed-1'] as const
export const DEFAULT_EMBEDDING_DIMENSIONS = 8
/** Most choices (`n`) one mock answer has. */
export const MAX_CHOICES = 16
const MAX_DIMENSIONS = 4096
const JSON_TYPE = 'application/json'
const SSE_TYPE = 'text/event-stream'

/** An error answer in the endpoint's wire format (OpenAI error JSON; Anthropic's for /v1/messages). */
export function mockErrorAnswer(endpoint: MockEndpoint, status: number, message: string, headers: HeaderPairs = []): MockAnswer {
  const type = status === 429 ? 'rate_limit_error' : status >= 500 ? 'server_error' : 'invalid_request_error'
  const body =
    endpoint === 'messages' || endpoint === 'count_tokens'
      ? JSON.stringify({ type: 'error', error: { type: status >= 500 ? 'api_error' : type, message } })
      : JSON.stringify({ error: { message, type, param: null, code: status === 429 ? 'rate_limit_exceeded' : null } })
  return { status, contentType: JSON_TYPE, headers, stream: false, parts: [body], usage: undefined }
}

/** GET /v1/models. */
export function formatMockModelList(created = 1_700_000_000): string {
  return JSON.stringify({ object: 'list', data: MOCK_MODELS.map((id) => ({ id, object: 'model', created, owned_by: 'llmgw-mock' })) })
}

function usageOf(prompt: number, completion: number): Usage {
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion }
}

/** Build the answer for one request body; a bad body gets a 400 in the endpoint's format, never a throw. */
export function generateMockAnswer(endpoint: MockEndpoint, body: unknown, o: MockOptions = {}): MockAnswer {
  if (!isObject(body)) return mockErrorAnswer(endpoint, 400, 'request body must be a JSON object')
  const model = typeof body.model === 'string' && body.model ? body.model : 'mock-1'
  const created = o.created ?? Math.floor(Date.now() / 1000)
  if (endpoint === 'embeddings') return embeddings(body, model)
  const chat = o.chatBody === true ? body : chatShape(endpoint, body)
  if (typeof chat === 'string') return mockErrorAnswer(endpoint, 400, chat)
  // the key of the client's own body (Anthropic: system first), so both forms of one conversation answer alike
  const key = conversationKey(endpoint === 'messages' || endpoint === 'count_tokens' ? body : chat)
  // one token per word plus one per turn: the same count for the OpenAI and the Anthropic form of a conversation
  const prompt = countWords(key) + key.split('\u0001').length
  if (endpoint === 'count_tokens') return { status: 200, contentType: JSON_TYPE, headers: [], stream: false, parts: [JSON.stringify({ input_tokens: prompt })], usage: undefined }
  const plan = endpoint === 'completions' ? { kind: 'text' as const } : planMockAnswer(chat, key, o.tool)
  if (plan.kind === 'error') return mockErrorAnswer(endpoint, 400, plan.message)

  let all: MockContent[]
  let completion: number
  let finish: MockFinish = 'stop'
  if (plan.kind === 'text') {
    const limit = maxTokensOf(chat)
    const wanted = o.answerTokens ?? DEFAULT_ANSWER_TOKENS
    const n = limit === undefined ? wanted : Math.min(wanted, limit)
    if (n < wanted) finish = 'length'
    // chat `n`: that many choices, each its own deterministic answer (OpenAI caps n at 128; the mock at MAX_CHOICES)
    const choices = endpoint === 'chat' && Number.isInteger(body.n) && (body.n as number) > 1 ? Math.min(body.n as number, MAX_CHOICES) : 1
    all = [{ pieces: answerPieces(answerWords(key, n)), calls: [] }]
    for (let i = 1; i < choices; i++) all.push({ pieces: answerPieces(answerWords(`${key}\u0002${i}`, n)), calls: [] })
    completion = n * choices
  } else if (plan.kind === 'json') {
    // a tool call or a JSON answer is never cut by max_tokens: half a JSON text would fail the schema it follows
    const text = planJson(plan.schema, key, answerPieces(answerWords(key, o.answerTokens ?? DEFAULT_ANSWER_TOKENS)).join(''))
    all = [{ pieces: jsonPieces(text), calls: [] }]
    completion = jsonTokens(text)
  } else {
    all = [{ pieces: [], calls: plan.calls }]
    completion = plan.calls.reduce((sum, c) => sum + jsonTokens(c.arguments), 0)
    finish = 'tool_calls'
  }
  const usage = usageOf(prompt, completion)
  const id = `${((hashText(key) ^ created) >>> 0).toString(16).padStart(8, '0')}${(hashText(model) >>> 0).toString(16)}`
  const stream = body.stream === true
  const first = all[0] as MockContent
  let parts: string[]
  switch (endpoint) {
    case 'messages':
      parts = stream ? formatAnthropicStream(`msg_mock${id}`, model, first, usage, finish) : [formatAnthropicMessage(`msg_mock${id}`, model, first, usage, finish)]
      break
    case 'responses':
      parts = formatResponses(body, `chatcmpl-mock${id}`, created, model, first, usage, finish, stream)
      break
    case 'chat':
      parts = stream
        ? chatStream(`chatcmpl-mock${id}`, created, model, all, usage, finish, includeUsage(body))
        : [chatCompletion(`chatcmpl-mock${id}`, created, model, all, usage, finish)]
      break
    default: {
      const pieces = first.pieces as string[]
      parts = stream
        ? completionStream(`cmpl-mock${id}`, created, model, pieces, usage, finish === 'length', includeUsage(body))
        : [textCompletion(`cmpl-mock${id}`, created, model, pieces.join(''), usage, finish === 'length')]
    }
  }
  return { status: 200, contentType: stream ? SSE_TYPE : JSON_TYPE, headers: [], stream, parts, usage }
}

/** The request in chat shape (what the plan reads), or the 400 message for a body the endpoint cannot take. */
function chatShape(endpoint: MockEndpoint, body: Record<string, unknown>): Record<string, unknown> | string {
  switch (endpoint) {
    case 'completions':
      return body.prompt === undefined ? "'prompt' is required" : body
    case 'responses':
      if (typeof body.previous_response_id === 'string') return "mock: 'previous_response_id' is not supported: the mock keeps no responses; send the whole conversation in 'input'"
      try {
        return parseResponsesRequest(body)
      } catch (e) {
        return e instanceof GatewayError ? e.message : String(e)
      }
    case 'messages':
    case 'count_tokens': {
      if (!Array.isArray(body.messages)) return "'messages' must be an array"
      const chat = anthropicToOpenAIRequest(body)
      // Anthropic's structured outputs: output_format {type: json_schema, schema}
      const f = body.output_format
      if (isObject(f) && f.type === 'json_schema') chat.response_format = { type: 'json_schema', json_schema: { name: 'output', schema: f.schema } }
      return chat
    }
    default:
      return Array.isArray(body.messages) ? body : "'messages' must be an array"
  }
}

/** The Responses API form, made by the gateway's own codecs from the chat form (one source of truth for the shapes). */
function formatResponses(req: Record<string, unknown>, id: string, created: number, model: string, c: MockContent, usage: Usage, finish: MockFinish, stream: boolean): string[] {
  if (!stream) return [JSON.stringify(chatToResponsesResponse(JSON.parse(chatCompletion(id, created, model, [c], usage, finish)) as Record<string, unknown>, req))]
  const tr = createChatToResponsesStream(req)
  const out: string[] = []
  for (const part of chatStream(id, created, model, [c], usage, finish, true)) {
    const data = part.slice('data: '.length, -2)
    if (data !== DONE_DATA) out.push(...tr.push(JSON.parse(data) as Record<string, unknown>))
  }
  out.push(...tr.finish())
  return out
}

const includeUsage = (body: Record<string, unknown>): boolean =>
  isObject(body.stream_options) && body.stream_options.include_usage === true

function embeddings(body: Record<string, unknown>, model: string): MockAnswer {
  const input = body.input
  const items: unknown[] = typeof input === 'string' ? [input] : Array.isArray(input) && input.every((x) => typeof x === 'number') ? [input] : Array.isArray(input) ? input : []
  if (items.length === 0) return mockErrorAnswer('embeddings', 400, "'input' must be a non-empty string or array")
  const dims = body.dimensions ?? DEFAULT_EMBEDDING_DIMENSIONS
  if (typeof dims !== 'number' || !Number.isInteger(dims) || dims < 1 || dims > MAX_DIMENSIONS) {
    return mockErrorAnswer('embeddings', 400, `'dimensions' must be an integer from 1 to ${MAX_DIMENSIONS}`)
  }
  const base64 = body.encoding_format === 'base64'
  let tokens = 0
  const data = items.map((item, index) => {
    const text = typeof item === 'string' ? item : JSON.stringify(item)
    tokens += typeof item === 'string' ? Math.max(1, countWords(item)) : Array.isArray(item) ? item.length : 1
    const v = unitVector(hashText(text), dims)
    return { object: 'embedding', index, embedding: base64 ? Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') : Array.from(v) }
  })
  const usage = { prompt_tokens: tokens, total_tokens: tokens }
  const json = JSON.stringify({ object: 'list', data, model, usage })
  return { status: 200, contentType: JSON_TYPE, headers: [], stream: false, parts: [json], usage: { ...usage, completion_tokens: 0 } }
}

/** A deterministic unit-length float32 vector. */
function unitVector(seed: number, dims: number): Float32Array {
  const rnd = createRandom(seed)
  const v = new Float32Array(dims)
  let norm = 0
  for (let i = 0; i < dims; i++) {
    const x = rnd() * 2 - 1
    v[i] = x
    norm += x * x
  }
  norm = Math.sqrt(norm) || 1
  for (let i = 0; i < dims; i++) v[i] = (v[i] as number) / norm
  return v
}
