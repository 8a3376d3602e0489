/** OpenAI wire shapes (chat, completions, embeddings, models) and pure helpers over them (SPEC §4, §7 usage). */
import { copyRecord } from '../core/record.js'
import type { Usage } from '../core/types.js'

export interface ChatMessage {
  role: 'system' | 'developer' | 'user' | 'assistant' | 'tool' | 'function'
  content?: string | ReadonlyArray<ContentPart> | null
  name?: string
  tool_calls?: ReadonlyArray<ToolCall>
  tool_call_id?: string
}
export interface ContentPart {
  type: string
  text?: string
}
export interface ToolCall {
  id: string
  type: 'function'
  function: { name: string; arguments: string }
}
export interface ChatTool {
  type: 'function'
  function: { name: string; description?: string; parameters?: Record<string, unknown> }
}
export interface ChatRequest {
  model: string
  messages: ChatMessage[]
  stream?: boolean
  stream_options?: { include_usage?: boolean } | null
  max_tokens?: number | null
  max_completion_tokens?: number | null
  temperature?: number | null
  top_p?: number | null
  stop?: string | string[] | null
  tools?: ChatTool[]
  tool_choice?: unknown
  user?: string
  [k: string]: unknown
}
export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'function_call'

export interface ChatCompletion {
  id: string
  object: 'chat.completion'
  created: number
  model: string
  choices: Array<{
    index: number
    message: { role: 'assistant'; content: string | null; refusal: null; tool_calls?: ToolCall[] }
    logprobs: null
    finish_reason: FinishReason
  }>
  usage?: Usage
  system_fingerprint?: string
}
export interface ChunkDelta {
  role?: 'assistant'
  content?: string | null
  tool_calls?: Array<{ index: number; id?: string; type?: 'function'; function?: { name?: string; arguments?: string } }>
}
export interface ChatChunk {
  id: string
  object: 'chat.completion.chunk'
  created: number
  model: string
  choices: Array<{ index: number; delta: ChunkDelta; logprobs?: null; finish_reason: FinishReason | null }>
  usage?: Usage | null
  system_fingerprint?: string
}

/** `data: [DONE]`: the last event of an OpenAI stream. */
export const SSE_DONE = 'data: [DONE]\n\n'
export const DONE_DATA = '[DONE]'

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/** Usage from a response or chunk object, when it carries one (`usage: null` on ordinary chunks counts as none). */
export function parseUsage(obj: unknown): Usage | undefined {
  if (!isObject(obj) || !isObject(obj.usage)) return undefined
  const u = obj.usage
  const prompt = typeof u.prompt_tokens === 'number' ? u.prompt_tokens : 0
  const completion = typeof u.completion_tokens === 'number' ? u.completion_tokens : 0
  const total = typeof u.total_tokens === 'number' ? u.total_tokens : prompt + completion
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: total }
}

/**
 * A streamed chat body that asks for usage (SPEC §7: a stream is never accounted at zero; the relay drops the extra
 * chunk again when the client did not ask), with `model` when given: `body` itself when it already says all that,
 * else one shallow copy (core/record.ts, not a spread: HOT PATH). The client's body is never mutated, so a fallback
 * that crosses provider types starts from what the client sent.
 */
export function streamBodyWithUsage(body: Readonly<Record<string, unknown>>, model?: string): Record<string, unknown> {
  const so = body.stream_options
  const asks = isObject(so) && so.include_usage === true
  if ((model === undefined || body.model === model) && body.stream === true && asks) return body as Record<string, unknown>
  const out = copyRecord(body)
  if (model !== undefined) out.model = model
  out.stream = true
  if (!asks) out.stream_options = isObject(so) ? { ...so, include_usage: true } : { include_usage: true }
  return out
}

const USAGE_VALUE = '"usage":{'
const EMPTY_CHOICES = '"choices":[]'
const CHOICES_KEY = '"choices":'

/**
 * The usage of a usage-only stream chunk (`"choices":[]`, `"usage":{...}` as its last key), parsing only the usage
 * object (HOT PATH: the last chunk of every stream that reports usage; a parse of the whole chunk cost 4x this).
 * undefined for any other shape, or when the usage text is not valid JSON: the caller then parses the whole event.
 * Inside a JSON string a quote is escaped, so the patterns preceded by `{` or `,` only match real keys.
 */
export function usageOnlyChunk(json: string): Usage | undefined {
  const at = json.lastIndexOf(USAGE_VALUE)
  const c = json.lastIndexOf(EMPTY_CHOICES)
  // JSON.parse keeps the last of repeated keys: the last "choices" must be the empty one
  if (at < 1 || c < 1 || json.lastIndexOf(CHOICES_KEY) !== c || !isKeyStart(json.charCodeAt(at - 1)) || !isKeyStart(json.charCodeAt(c - 1))) return undefined
  let end = json.length - 1
  while (end > at && json.charCodeAt(end) <= 32) end--
  if (json.charCodeAt(end) !== 125 || json.charCodeAt(0) !== 123) return undefined // '}' ... '{'
  let u: unknown
  try {
    u = JSON.parse(json.slice(at + USAGE_VALUE.length - 1, end))
  } catch {
    return undefined // usage is not the last key, or the text is broken: the full parse decides
  }
  return parseUsage({ usage: u })
}

const isKeyStart = (ch: number): boolean => ch === 44 || ch === 123 // ',' or '{'

/** The text a chat.completion.chunk or streamed text_completion adds (all choices). */
export function chunkText(obj: unknown): string {
  if (!isObject(obj) || !Array.isArray(obj.choices)) return ''
  let s = ''
  for (const c of obj.choices as unknown[]) {
    if (!isObject(c)) continue
    if (isObject(c.delta) && typeof c.delta.content === 'string') s += c.delta.content
    else if (typeof c.text === 'string') s += c.text
  }
  return s
}

/** The answer text of a chat.completion or text_completion (all choices). */
export function responseText(obj: unknown): string {
  if (!isObject(obj) || !Array.isArray(obj.choices)) return ''
  let s = ''
  for (const c of obj.choices as unknown[]) {
    if (!isObject(c)) continue
    if (isObject(c.message) && typeof c.message.content === 'string') s += c.message.content
    else if (typeof c.text === 'string') s += c.text
  }
  return s
}

/** The text of one message's content (string or parts). */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content
  if (!Array.isArray(content)) return ''
  let s = ''
  for (const p of content as unknown[]) if (isObject(p) && typeof p.text === 'string') s += (s ? '\n' : '') + p.text
  return s
}

/** All prompt text of a chat, completions or embeddings request, for token estimates. */
export function promptText(body: Readonly<Record<string, unknown>>): string {
  if (Array.isArray(body.messages)) {
    let s = ''
    for (const m of body.messages as unknown[]) if (isObject(m)) s += `${String(m.role ?? '')}: ${contentText(m.content)}\n`
    return s
  }
  const p = body.prompt ?? body.input
  if (typeof p === 'string') return p
  if (Array.isArray(p)) return p.filter((x): x is string => typeof x === 'string').join('\n')
  return ''
}

/** The model named by a response or chunk object. */
export function responseModel(obj: unknown): string | undefined {
  return isObject(obj) && typeof obj.model === 'string' ? obj.model : undefined
}

/** `max_completion_tokens` or `max_tokens`, when the request set one. */
export function maxTokensOf(body: Readonly<Record<string, unknown>>): number | undefined {
  const v = body.max_completion_tokens ?? body.max_tokens
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? Math.floor(v) : undefined
}

/**
 * The first character of the value of the LAST `"key":` in a JSON text, as a char code (-1: key absent). Lets a relay
 * tell `"usage":null` from `"usage":{...}` and `"finish_reason":null` from `"finish_reason":"stop"` without parsing.
 */
export function sniffValueStart(json: string, key: string): number {
  const at = json.lastIndexOf(`"${key}"`)
  if (at < 0) return -1
  let i = at + key.length + 2
  while (i < json.length && (json.charCodeAt(i) === 32 || json.charCodeAt(i) === 58 || json.charCodeAt(i) === 9)) i++ // spaces and the colon
  return i < json.length ? json.charCodeAt(i) : -1
}

const MODEL_KEY = '"model":"'

/**
 * The first `"model":"…"` string in an event, read without parsing it (HOT PATH: the first event of every stream
 * names the model; a JSON.parse of it cost more than the rest of the relay's work on that event). Inside a JSON
 * string a quote is always escaped, so the pattern only matches a real key. undefined when the key is absent,
 * spaced differently or the value has escapes: the caller then parses the event.
 */
export function sniffModel(json: string): string | undefined {
  const at = json.indexOf(MODEL_KEY)
  if (at < 0) return undefined
  const from = at + MODEL_KEY.length
  const end = json.indexOf('"', from)
  if (end <= from) return undefined
  const v = json.slice(from, end)
  return v.includes('\\') ? undefined : v
}

/** Starts with '{' and ends with '}' (whitespace aside): a cut-off or garbled event fails this without a parse. */
export function looksLikeJsonObject(s: string): boolean {
  let end = s.length - 1
  while (end > 0 && s.charCodeAt(end) <= 32) end--
  let start = 0
  while (start < end && s.charCodeAt(start) <= 32) start++
  return s.charCodeAt(start) === 123 && s.charCodeAt(end) === 125
}

export { isObject }
