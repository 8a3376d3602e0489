/** Parse and validate client request bodies once (SPEC §4: invalid_json / invalid_request with `param`). */
import { GatewayError } from '../core/errors.js'
import type { Endpoint } from '../core/types.js'
import { anthropicToOpenAIRequest } from './anthropic-openai.js'
import { checkChatBody, invalidParam } from './chat-request.js'
import { isObject } from './openai.js'
import { parseResponsesRequest } from './responses.js'

/** A validated request: the body in canonical OpenAI shape plus the fields routing needs, read once. */
export interface ParsedRequest {
  body: Record<string, unknown>
  model: string
  stream: boolean
  /** The client asked for `stream_options.include_usage`. */
  clientWantsUsage: boolean
  /**
   * The client's own body, when it is not the canonical one (responses, count_tokens): relayed as-is to an upstream
   * that speaks that API natively; `body` is its canonical chat translation (admission estimates, rules, chat targets).
   */
  native?: Record<string, unknown>
}

const decoder = new TextDecoder('utf-8', { fatal: false })

const bad = invalidParam

/** HOT PATH: one JSON.parse and hand-written checks (no schema library per request). Throws GatewayError. */
export function parseRequest(endpoint: Endpoint, bytes: Uint8Array): ParsedRequest {
  let raw: unknown
  try {
    raw = JSON.parse(decoder.decode(bytes))
  } catch {
    throw new GatewayError('invalid_json', 'the request body is not valid JSON')
  }
  // valid JSON of the wrong type is a wrong type (SPEC §4: invalid_request), not an unparsable body
  if (!isObject(raw)) throw new GatewayError('invalid_request', 'the request body must be a JSON object')
  const model = raw.model
  if (typeof model !== 'string' || model.length === 0) throw bad('model', "'model' is required and must be a non-empty string")
  checkCommon(raw)
  switch (endpoint) {
    case 'chat':
      checkChatBody(raw)
      break
    case 'completions':
      checkTextInput(raw.prompt, 'prompt')
      break
    case 'embeddings':
      checkTextInput(raw.input, 'input')
      break
    case 'messages':
      return parseAnthropic(raw, model)
    case 'responses':
      return parseResponses(raw, model)
    case 'count_tokens':
      return parseCountTokens(raw, model)
  }
  const stream = raw.stream === true
  const opts = raw.stream_options
  const clientWantsUsage = stream && isObject(opts) && opts.include_usage === true
  return { body: raw, model, stream, clientWantsUsage }
}

function checkCommon(b: Record<string, unknown>): void {
  if (b.stream !== undefined && b.stream !== null && typeof b.stream !== 'boolean') throw bad('stream', "'stream' must be a boolean")
  for (const p of ['max_tokens', 'max_completion_tokens', 'n'] as const) {
    const v = b[p]
    if (v !== undefined && v !== null && !(Number.isInteger(v) && (v as number) > 0)) throw bad(p, `'${p}' must be a positive integer`)
  }
  for (const p of ['temperature', 'top_p', 'presence_penalty', 'frequency_penalty'] as const) {
    const v = b[p]
    if (v !== undefined && v !== null && (typeof v !== 'number' || !Number.isFinite(v))) throw bad(p, `'${p}' must be a number`)
  }
  const so = b.stream_options
  if (so !== undefined && so !== null) {
    if (!isObject(so)) throw bad('stream_options', "'stream_options' must be an object")
    if (so.include_usage !== undefined && typeof so.include_usage !== 'boolean')
      throw bad('stream_options.include_usage', "'stream_options.include_usage' must be a boolean")
  }
  const stop = b.stop
  if (stop !== undefined && stop !== null && typeof stop !== 'string' && !(Array.isArray(stop) && stop.every((s) => typeof s === 'string')))
    throw bad('stop', "'stop' must be a string or an array of strings")
}

/** `prompt` / `input`: a string, an array of strings, an array of token ids, or an array of token id arrays. */
function checkTextInput(v: unknown, param: 'prompt' | 'input'): void {
  if (typeof v === 'string') return
  if (Array.isArray(v) && v.length > 0) {
    const first: unknown = v[0]
    if (typeof first === 'string' && v.every((s) => typeof s === 'string')) return
    if (typeof first === 'number' && v.every(Number.isInteger)) return
    if (Array.isArray(first) && v.every((a) => Array.isArray(a) && a.length > 0 && a.every(Number.isInteger))) return
  }
  throw bad(param, `'${param}' is required and must be a string, an array of strings or an array of token ids`)
}

/** Anthropic block types the gateway translates (text, images, tool use and results). */
const ANTHROPIC_BLOCKS = new Set(['text', 'image', 'tool_use', 'tool_result'])

/**
 * Anthropic Messages in: validated here (the SPEC §4 codes and `param`s), translated to the canonical OpenAI chat body
 * by wire/anthropic-openai.ts (system first; text, images, tools, tool_use and tool_result mapped both ways).
 */
function parseAnthropic(raw: Record<string, unknown>, model: string): ParsedRequest {
  const maxTokens = raw.max_tokens
  if (!(Number.isInteger(maxTokens) && (maxTokens as number) > 0)) throw bad('max_tokens', "'max_tokens' is required and must be a positive integer")
  checkAnthropicPrompt(raw)
  if (raw.stream !== undefined && raw.stream !== null && typeof raw.stream !== 'boolean') throw bad('stream', "'stream' must be a boolean")
  const body = anthropicToOpenAIRequest(raw)
  body.model = model
  const stream = raw.stream === true
  // Anthropic streams always end with usage in message_delta, so the client "wants usage" in its own format.
  return { body, model, stream, clientWantsUsage: stream }
}

/** POST /v1/messages/count_tokens: a Messages request without max_tokens; never streamed. */
function parseCountTokens(raw: Record<string, unknown>, model: string): ParsedRequest {
  checkAnthropicPrompt(raw)
  const body = anthropicToOpenAIRequest(raw)
  body.model = model
  return { body, model, stream: false, clientWantsUsage: false, native: raw }
}

/**
 * POST /v1/responses: translated once to the canonical chat body by wire/responses.ts (input items, instructions,
 * tools, text.format); the client's body is kept for upstreams that speak the Responses API natively.
 */
function parseResponses(raw: Record<string, unknown>, model: string): ParsedRequest {
  const mot = raw.max_output_tokens
  if (mot !== undefined && mot !== null && !(Number.isInteger(mot) && (mot as number) > 0)) throw bad('max_output_tokens', "'max_output_tokens' must be a positive integer")
  const body = parseResponsesRequest(raw)
  body.model = model
  const stream = raw.stream === true
  // a Responses stream always ends with usage in response.completed: a translated stream needs the usage chunk
  return { body, model, stream, clientWantsUsage: stream, native: raw }
}

function checkAnthropicPrompt(raw: Record<string, unknown>): void {
  const messages = raw.messages
  if (!Array.isArray(messages) || messages.length === 0) throw bad('messages', "'messages' is required and must be a non-empty array")
  const system = raw.system
  if (system !== undefined && system !== null && typeof system !== 'string') {
    if (!Array.isArray(system)) throw bad('system', "'system' must be a string or an array of text blocks")
    checkBlocks(system, 'system')
  }
  for (let i = 0; i < messages.length; i++) {
    const m: unknown = messages[i]
    if (!isObject(m)) throw bad(`messages.${i}`, `'messages.${i}' must be an object`)
    if (m.role !== 'user' && m.role !== 'assistant') throw bad(`messages.${i}.role`, `'messages.${i}.role' must be 'user' or 'assistant'`)
    const c = m.content
    if (Array.isArray(c)) checkBlocks(c, `messages.${i}.content`)
    else if (typeof c !== 'string') throw bad(`messages.${i}.content`, `'messages.${i}.content' must be a string or an array of content blocks`)
  }
  const stop = raw.stop_sequences
  if (stop !== undefined && (!Array.isArray(stop) || !stop.every((s) => typeof s === 'string')))
    throw bad('stop_sequences', "'stop_sequences' must be an array of strings")
  if (raw.tools !== undefined && !(Array.isArray(raw.tools) && raw.tools.every((t) => isObject(t) && typeof t.name === 'string')))
    throw bad('tools', "'tools' must be an array of tools, each with a 'name'")
}

function checkBlocks(blocks: unknown[], param: string): void {
  for (let j = 0; j < blocks.length; j++) {
    const b: unknown = blocks[j]
    if (!isObject(b) || typeof b.type !== 'string') throw bad(`${param}.${j}`, `'${param}.${j}' must be a content block with a 'type'`)
    if (!ANTHROPIC_BLOCKS.has(b.type)) throw bad(`${param}.${j}.type`, `content block type '${b.type}' is not supported by this gateway`)
    if (b.type === 'text' && typeof b.text !== 'string') throw bad(`${param}.${j}.text`, `'${param}.${j}.text' must be a string`)
  }
}

/**
 * The request as JSON for an upstream. JSON.parse accepts nesting that JSON.stringify cannot write back (about 5,000
 * levels overflow its stack): such a body is the client's error, 400, never a 500 and never half an upstream call.
 */
export function stringifyRequest(body: object): string {
  try {
    return JSON.stringify(body)
  } catch (e) {
    if (e instanceof RangeError) throw new GatewayError('invalid_request', 'the request body is nested too deeply')
    throw e
  }
}
