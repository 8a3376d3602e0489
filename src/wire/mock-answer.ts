/** The mock provider's answers in exact OpenAI wire format (SPEC §2 `mock`, §4): pure codecs shared by `llmgw mock` and `type: mock`. */
import type { HeaderPairs, Usage } from '../core/types.js'
import { DONE_DATA, isObject, maxTokensOf } from './openai.js'
import { formatAnthropicMessage, formatAnthropicStream } from './mock-anthropic.js'
import { answerPieces, answerWords, conversationKey, countWords, createRandom, DEFAULT_ANSWER_TOKENS, hashText } from './mock-text.js'

export type MockEndpoint = 'chat' | 'completions' | 'embeddings' | 'messages'

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
    endpoint === 'messages'
      ? JSON.stringify({ type: 'error', error: { type: status >= 500 ? 'api_error' : type, message } })
      : JSON.stringify({ error: { message, type, param: null, code: status === 429 ? 'rate_limit_exceeded' : null } })
  return { status, contentType: JSON_TYPE, headers, stream: false, parts: [body], usage: undefined }
}

/** GET /v1/models. */
export function formatMockModelList(created = 1_700_000_000): string {
  return JSON.stringify({ object: 'list', data: MOCK_MODELS.map((id) => ({ id, object: 'model', created, owned_by: 'llmgw-mock' })) })
}

const sse = (data: string): string => `data: ${data}\n\n`

function usageOf(prompt: number, completion: number): Usage {
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion }
}

/** Build the answer for one request body; a bad body gets a 400 in the endpoint's format, never a throw. */
export function generateMockAnswer(endpoint: MockEndpoint, body: unknown, o: MockOptions = {}): MockAnswer {
  if (!isObject(body)) return mockErrorAnswer(endpoint, 400, 'request body must be a JSON object')
  const model = typeof body.model === 'string' && body.model ? body.model : 'mock-1'
  const created = o.created ?? Math.floor(Date.now() / 1000)
  if (endpoint === 'embeddings') return embeddings(body, model)
  if (endpoint === 'completions' ? body.prompt === undefined : !Array.isArray(body.messages)) {
    return mockErrorAnswer(endpoint, 400, endpoint === 'completions' ? "'prompt' is required" : "'messages' must be an array")
  }
  const key = conversationKey(body)
  const limit = maxTokensOf(body)
  const wanted = o.answerTokens ?? DEFAULT_ANSWER_TOKENS
  const n = limit === undefined ? wanted : Math.min(wanted, limit)
  const truncated = n < wanted
  const pieces = answerPieces(answerWords(key, n))
  // chat `n`: that many choices, each its own deterministic answer (OpenAI caps n at 128; the mock at MAX_CHOICES)
  const choices = endpoint === 'chat' && Number.isInteger(body.n) && (body.n as number) > 1 ? Math.min(body.n as number, MAX_CHOICES) : 1
  const all = [pieces]
  for (let i = 1; i < choices; i++) all.push(answerPieces(answerWords(`${key}\u0002${i}`, n)))
  // one token per word plus one per turn: the same count for the OpenAI and the Anthropic form of a conversation
  const usage = usageOf(countWords(key) + key.split('\u0001').length, n * choices)
  const id = `${((hashText(key) ^ created) >>> 0).toString(16).padStart(8, '0')}${(hashText(model) >>> 0).toString(16)}`
  const stream = body.stream === true
  const parts =
    endpoint === 'messages'
      ? stream
        ? formatAnthropicStream(`msg_mock${id}`, model, pieces, usage, truncated)
        : [formatAnthropicMessage(`msg_mock${id}`, model, pieces.join(''), usage, truncated)]
      : endpoint === 'chat'
        ? stream
          ? chatStream(`chatcmpl-mock${id}`, created, model, all, usage, truncated, includeUsage(body))
          : [chatCompletion(`chatcmpl-mock${id}`, created, model, all.map((p) => p.join('')), usage, truncated)]
        : stream
          ? completionStream(`cmpl-mock${id}`, created, model, pieces, usage, truncated, includeUsage(body))
          : [textCompletion(`cmpl-mock${id}`, created, model, pieces.join(''), usage, truncated)]
  return { status: 200, contentType: stream ? SSE_TYPE : JSON_TYPE, headers: [], stream, parts, usage }
}

const includeUsage = (body: Record<string, unknown>): boolean =>
  isObject(body.stream_options) && body.stream_options.include_usage === true

function chatCompletion(id: string, created: number, model: string, texts: string[], usage: Usage, truncated: boolean): string {
  return JSON.stringify({
    id,
    object: 'chat.completion',
    created,
    model,
    choices: texts.map((text, index) => ({
      index, message: { role: 'assistant', content: text, refusal: null }, logprobs: null, finish_reason: truncated ? 'length' : 'stop',
    })),
    usage,
    system_fingerprint: 'fp_llmgw_mock',
  })
}

/** One stream per answer; with several choices (n) their chunks interleave, piece by piece, as OpenAI's do. */
function chatStream(id: string, created: number, model: string, choices: string[][], usage: Usage, truncated: boolean, withUsage: boolean): string[] {
  // the envelope is built once per answer; each chunk only adds its delta (OpenAI sends usage:null on every chunk when asked)
  const base = `{"id":"${id}","object":"chat.completion.chunk","created":${created},"model":${JSON.stringify(model)},"system_fingerprint":"fp_llmgw_mock","choices":[{"index":`
  const heads = choices.map((_, i) => `${base}${i},"delta":`)
  const tail = (finish: string): string => `,"logprobs":null,"finish_reason":${finish}}]${withUsage ? ',"usage":null' : ''}}`
  const out = heads.map((head) => sse(`${head}{"role":"assistant","content":"","refusal":null}${tail('null')}`))
  const longest = Math.max(...choices.map((c) => c.length))
  for (let k = 0; k < longest; k++) {
    for (let i = 0; i < choices.length; i++) {
      const p = choices[i]![k]
      if (p !== undefined) out.push(sse(`${heads[i]}{"content":${JSON.stringify(p)}}${tail('null')}`))
    }
  }
  for (const head of heads) out.push(sse(`${head}{}${tail(truncated ? '"length"' : '"stop"')}`))
  if (withUsage) {
    out.push(sse(JSON.stringify({ id, object: 'chat.completion.chunk', created, model, system_fingerprint: 'fp_llmgw_mock', choices: [], usage })))
  }
  out.push(sse(DONE_DATA))
  return out
}

function textCompletion(id: string, created: number, model: string, text: string, usage: Usage, truncated: boolean): string {
  return JSON.stringify({
    id,
    object: 'text_completion',
    created,
    model,
    choices: [{ text, index: 0, logprobs: null, finish_reason: truncated ? 'length' : 'stop' }],
    usage,
    system_fingerprint: 'fp_llmgw_mock',
  })
}

function completionStream(id: string, created: number, model: string, pieces: string[], usage: Usage, truncated: boolean, withUsage: boolean): string[] {
  const chunk = (text: string, finish: string | null) =>
    sse(JSON.stringify({ id, object: 'text_completion', created, model, choices: [{ text, index: 0, logprobs: null, finish_reason: finish }] }))
  const out = pieces.map((p) => chunk(p, null))
  out.push(chunk('', truncated ? 'length' : 'stop'))
  if (withUsage) out.push(sse(JSON.stringify({ id, object: 'text_completion', created, model, choices: [], usage })))
  out.push(sse(DONE_DATA))
  return out
}

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
