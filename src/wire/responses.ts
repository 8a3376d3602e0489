/**
 * OpenAI Responses API (SPEC §4 POST /v1/responses) -> the canonical chat body, for chat-only upstreams (and, through
 * wire/anthropic-openai.ts, Anthropic): input items, instructions, function tools and their calls/outputs, tool_choice,
 * text.format, reasoning.effort, sampling and token limits. The answer direction lives in responses-response.ts and
 * responses-stream.ts (re-exported here: one import for the endpoint).
 *
 * Two kinds of trouble, told apart on purpose: a field of the wrong SHAPE is the client's error and throws (400
 * invalid_request naming `param`) whatever the target; a well-formed feature that a chat body cannot carry (hosted
 * tools, item references, stored conversations) is only a problem for a translated target, so parsing skips it and
 * `responsesUntranslatable` names it for the translator to refuse (a native Responses upstream takes it as it is).
 */
import type { GatewayError } from '../core/errors.js'
import { invalidParam } from './chat-request.js'
import type { ChatMessage, ChatTool, ToolCall } from './openai.js'
import { isObject } from './openai.js'

export { chatToResponsesResponse, responsesUsage } from './responses-response.js'
export { createChatToResponsesStream } from './responses-stream.js'

type Obj = Record<string, unknown>
const bad = invalidParam
const absent = (v: unknown): boolean => v === undefined || v === null
const ROLES = new Set(['user', 'assistant', 'system', 'developer'])
const TOOL_CHOICES = new Set(['none', 'auto', 'required'])
/**
 * Request fields copied to the chat body unchanged (the chat API has them under the same name and meaning). Not
 * `metadata`: OpenAI's chat endpoint takes it only with `store`, other servers not at all; it is echoed in the answer.
 */
const SAME_NAME = ['temperature', 'top_p', 'parallel_tool_calls', 'user', 'service_tier', 'prompt_cache_key', 'safety_identifier'] as const
/** Request fields that carry context or work a chat body cannot (refused for translated targets, never dropped). */
const STATEFUL = ['previous_response_id', 'conversation', 'prompt', 'background'] as const

/**
 * The chat body for a Responses request. Throws GatewayError (400 invalid_request with `param`) on a wrong shape.
 * HOT PATH: one pass over the items; parts and tools are rebuilt only where the names differ.
 */
export function parseResponsesRequest(body: Readonly<Obj>): Obj {
  const messages: ChatMessage[] = []
  const ins = body.instructions
  if (!absent(ins)) {
    if (typeof ins !== 'string') throw bad('instructions', "'instructions' must be a string")
    if (ins !== '') messages.push({ role: 'system', content: ins })
  }
  const input = body.input
  if (typeof input === 'string') messages.push({ role: 'user', content: input })
  else if (Array.isArray(input)) for (let i = 0; i < input.length; i++) addItem(messages, input[i], i)
  else throw bad('input', "'input' is required and must be a string or an array of input items")
  if (!messages.some((m) => m.role !== 'system')) throw bad('input', "'input' must contain at least one message or item")

  const out: Obj = { model: body.model, messages }
  if (body.stream === true) out.stream = true
  const max = body.max_output_tokens
  const reasoning = body.reasoning
  if (!absent(reasoning)) {
    if (!isObject(reasoning)) throw bad('reasoning', "'reasoning' must be an object")
    if (!absent(reasoning.effort)) {
      if (typeof reasoning.effort !== 'string') throw bad('reasoning.effort', "'reasoning.effort' must be a string")
      out.reasoning_effort = reasoning.effort
    }
  }
  // reasoning models take only max_completion_tokens; most other chat servers know max_tokens best
  if (typeof max === 'number') out[out.reasoning_effort === undefined ? 'max_tokens' : 'max_completion_tokens'] = max
  for (const k of SAME_NAME) if (!absent(body[k])) out[k] = body[k]
  if (!absent(body.metadata) && !isObject(body.metadata)) throw bad('metadata', "'metadata' must be an object")
  if (!absent(body.tools)) {
    if (!Array.isArray(body.tools)) throw bad('tools', "'tools' must be an array of tools")
    const tools = toChatTools(body.tools)
    if (tools.length > 0) out.tools = tools
  }
  if (!absent(body.tool_choice)) {
    const choice = toChatToolChoice(body.tool_choice)
    if (choice !== undefined) out.tool_choice = choice
  }
  if (!absent(body.text)) textOptions(body.text, out)
  return out
}

/**
 * The first part of a well-formed Responses request that a chat body cannot carry, as a `param` path; undefined when
 * everything translates. Call it before sending a Responses request to a chat-only target.
 */
export function responsesUntranslatable(body: Readonly<Obj>): string | undefined {
  for (const k of STATEFUL) if (!absent(body[k]) && body[k] !== false) return k
  if (Array.isArray(body.input)) {
    const items = body.input as unknown[]
    for (let i = 0; i < items.length; i++) {
      const it = items[i]
      if (!isObject(it)) continue
      const type = it.type ?? 'message'
      if (type !== 'message' && type !== 'function_call' && type !== 'function_call_output' && type !== 'reasoning') return `input[${i}]`
      if (type === 'message' && Array.isArray(it.content)) {
        const parts = it.content as Obj[]
        for (let j = 0; j < parts.length; j++) if (partToChat(parts[j] as Obj) === undefined) return `input[${i}].content[${j}]`
      }
      if (type === 'function_call_output' && Array.isArray(it.output) && !(it.output as Obj[]).every((p) => p.type === 'input_text' || p.type === 'output_text'))
        return `input[${i}].output`
    }
  }
  if (Array.isArray(body.tools)) {
    const tools = body.tools as Obj[]
    for (let i = 0; i < tools.length; i++) if (tools[i]!.type !== 'function') return `tools[${i}]`
  }
  const c = body.tool_choice
  if (isObject(c) && c.type !== 'function' && c.type !== 'allowed_tools') return 'tool_choice'
  return undefined
}

/** The 400 for a `responsesUntranslatable` answer (the same wording wherever a translated target refuses it). */
export function untranslatableError(param: string): GatewayError {
  return bad(param, `'${param}' cannot be translated for this model: its upstream does not speak the Responses API (only messages, function tools and their calls/outputs translate; send the whole conversation in 'input')`)
}

function addItem(messages: ChatMessage[], item: unknown, i: number): void {
  if (!isObject(item)) throw bad(`input[${i}]`, `'input[${i}]' must be an object`)
  const type = item.type ?? 'message'
  if (type === 'message') {
    const role = item.role
    if (typeof role !== 'string' || !ROLES.has(role)) throw bad(`input[${i}].role`, `'input[${i}].role' must be one of ${[...ROLES].join(', ')}`)
    // developer is OpenAI's newer name for system; chat servers other than OpenAI's know only system
    messages.push({ role: role === 'developer' ? 'system' : (role as ChatMessage['role']), content: contentToChat(item.content, `input[${i}].content`, role === 'assistant') })
  } else if (type === 'function_call') {
    for (const k of ['call_id', 'name', 'arguments'] as const)
      if (typeof item[k] !== 'string') throw bad(`input[${i}].${k}`, `'input[${i}].${k}' must be a string`)
    const call: ToolCall = { id: item.call_id as string, type: 'function', function: { name: item.name as string, arguments: item.arguments as string } }
    // consecutive calls of one turn are one assistant message with several tool_calls (what chat upstreams expect)
    const last = messages[messages.length - 1]
    if (last?.role === 'assistant' && (last.tool_calls !== undefined || typeof last.content === 'string' || last.content === null))
      last.tool_calls = [...(last.tool_calls ?? []), call]
    else messages.push({ role: 'assistant', content: null, tool_calls: [call] })
  } else if (type === 'function_call_output') {
    if (typeof item.call_id !== 'string') throw bad(`input[${i}].call_id`, `'input[${i}].call_id' must be a string`)
    const o = item.output
    if (typeof o !== 'string' && !Array.isArray(o)) throw bad(`input[${i}].output`, `'input[${i}].output' must be a string or an array of content parts`)
    messages.push({ role: 'tool', tool_call_id: item.call_id, content: typeof o === 'string' ? o : outputText(o, `input[${i}].output`) })
  } else if (typeof type !== 'string') throw bad(`input[${i}].type`, `'input[${i}].type' must be a string`)
  // reasoning items are the model's own state (chat upstreams take none back); other types: responsesUntranslatable
}

/** Message content: a string, or input_text / input_image / input_file (and output_text / refusal in assistant turns). */
function contentToChat(c: unknown, param: string, assistant: boolean): ChatMessage['content'] {
  if (typeof c === 'string') return c
  if (!Array.isArray(c)) throw bad(param, `'${param}' must be a string or an array of content parts`)
  const parts: Obj[] = []
  let onlyText = true
  for (let j = 0; j < c.length; j++) {
    const p: unknown = c[j]
    if (!isObject(p) || typeof p.type !== 'string') throw bad(`${param}[${j}]`, `'${param}[${j}]' must be a content part with a 'type'`)
    if ((p.type === 'input_text' || p.type === 'output_text') && typeof p.text !== 'string') throw bad(`${param}[${j}].text`, `'${param}[${j}].text' must be a string`)
    const part = partToChat(p)
    if (part === undefined) continue // responsesUntranslatable names it
    if (part.type !== 'text') onlyText = false
    parts.push(part)
  }
  // assistant history is plain text to every chat server; user text parts stay parts only beside images or files
  if (assistant || onlyText) return parts.map((p) => p.text as string).join(assistant ? '' : '\n')
  return parts as unknown as ChatMessage['content']
}

function partToChat(p: Obj): Obj | undefined {
  switch (p.type) {
    case 'input_text':
    case 'output_text':
      return { type: 'text', text: p.text }
    case 'refusal':
      return typeof p.refusal === 'string' ? { type: 'text', text: p.refusal } : undefined
    case 'input_image':
      if (typeof p.image_url !== 'string') return undefined // a file_id image needs OpenAI's file store
      return { type: 'image_url', image_url: p.detail === undefined ? { url: p.image_url } : { url: p.image_url, detail: p.detail } }
    case 'input_file': {
      if (typeof p.file_data !== 'string' && typeof p.file_id !== 'string') return undefined
      const file: Obj = {}
      for (const k of ['file_data', 'file_id', 'filename'] as const) if (typeof p[k] === 'string') file[k] = p[k]
      return { type: 'file', file }
    }
    default:
      return undefined
  }
}

/** A function_call_output given as parts: its text (a chat tool message carries text only). */
function outputText(parts: unknown[], param: string): string {
  let s = ''
  for (let j = 0; j < parts.length; j++) {
    const p: unknown = parts[j]
    if (!isObject(p) || typeof p.type !== 'string') throw bad(`${param}[${j}]`, `'${param}[${j}]' must be a content part with a 'type'`)
    if (typeof p.text === 'string') s += p.text
  }
  return s
}

function toChatTools(tools: unknown[]): ChatTool[] {
  const out: ChatTool[] = []
  for (let i = 0; i < tools.length; i++) {
    const t: unknown = tools[i]
    if (!isObject(t) || typeof t.type !== 'string') throw bad(`tools[${i}]`, `'tools[${i}]' must be an object with a 'type'`)
    if (t.type !== 'function') continue // hosted tools: responsesUntranslatable
    if (typeof t.name !== 'string' || t.name === '') throw bad(`tools[${i}].name`, `'tools[${i}].name' must be a non-empty string`)
    if (!absent(t.parameters) && !isObject(t.parameters)) throw bad(`tools[${i}].parameters`, `'tools[${i}].parameters' must be an object`)
    const f: Obj = { name: t.name }
    if (typeof t.description === 'string') f.description = t.description
    if (isObject(t.parameters)) f.parameters = t.parameters
    if (typeof t.strict === 'boolean') f.strict = t.strict
    out.push({ type: 'function', function: f as ChatTool['function'] })
  }
  return out
}

function toChatToolChoice(c: unknown): unknown {
  if (typeof c === 'string') {
    if (!TOOL_CHOICES.has(c)) throw bad('tool_choice', "'tool_choice' must be 'none', 'auto', 'required' or an object with a 'type'")
    return c
  }
  if (!isObject(c) || typeof c.type !== 'string') throw bad('tool_choice', "'tool_choice' must be 'none', 'auto', 'required' or an object with a 'type'")
  if (c.type === 'function') {
    if (typeof c.name !== 'string') throw bad('tool_choice.name', "'tool_choice.name' must be a string")
    return { type: 'function', function: { name: c.name } }
  }
  if (c.type === 'allowed_tools' && Array.isArray(c.tools)) {
    const tools = (c.tools as unknown[]).filter(isObject).map((t) => ({ type: 'function', function: { name: t.name } }))
    return { type: 'allowed_tools', allowed_tools: { mode: c.mode ?? 'auto', tools } }
  }
  return undefined // hosted tool choices: responsesUntranslatable
}

/** text.format -> response_format; text.verbosity -> verbosity. */
function textOptions(text: unknown, out: Obj): void {
  if (!isObject(text)) throw bad('text', "'text' must be an object")
  if (!absent(text.verbosity)) out.verbosity = text.verbosity
  const f = text.format
  if (absent(f)) return
  if (!isObject(f) || typeof f.type !== 'string') throw bad('text.format', "'text.format' must be an object with a 'type'")
  if (f.type === 'json_object') out.response_format = { type: 'json_object' }
  else if (f.type === 'json_schema') {
    if (typeof f.name !== 'string') throw bad('text.format.name', "'text.format.name' must be a string")
    if (!isObject(f.schema)) throw bad('text.format.schema', "'text.format.schema' must be an object (a JSON Schema)")
    const js: Obj = { name: f.name, schema: f.schema }
    if (typeof f.strict === 'boolean') js.strict = f.strict
    if (typeof f.description === 'string') js.description = f.description
    out.response_format = { type: 'json_schema', json_schema: js }
  }
}
