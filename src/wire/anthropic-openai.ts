/** OpenAI chat <-> Anthropic Messages translation, requests and whole responses (SPEC §4 /v1/messages, providers anthropic). */
import type { Usage } from '../core/types.js'
import {
  type AnthropicBlock,
  type AnthropicMessage,
  type AnthropicRequest,
  type AnthropicResponse,
  type AnthropicStopReason,
  type AnthropicToolChoice,
  DEFAULT_ANTHROPIC_MAX_TOKENS,
} from './anthropic.js'
import { type ChatCompletion, type ChatMessage, type FinishReason, type ToolCall, contentText, isObject, maxTokensOf } from './openai.js'

type Obj = Record<string, unknown>
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined)
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined)

export const STOP_TO_FINISH: Record<string, FinishReason> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  pause_turn: 'stop',
  max_tokens: 'length',
  tool_use: 'tool_calls',
  refusal: 'content_filter',
}
export const FINISH_TO_STOP: Record<string, AnthropicStopReason> = {
  stop: 'end_turn',
  length: 'max_tokens',
  tool_calls: 'tool_use',
  function_call: 'tool_use',
  content_filter: 'refusal',
}

/**
 * JSON output (`response_format` json_schema / json_object, `text.format` on /v1/responses) for Anthropic, which has no
 * response_format: the schema goes out as one tool the model is made to call (Anthropic's own recipe for structured
 * output), and that tool's input comes back as the answer's text (finish_reason stop), whole and streamed. The name is
 * ours; a client tool of the same name would be taken for it.
 */
export const JSON_OUTPUT_TOOL = 'llmgw_json_output'

/** The tool that carries a JSON answer; undefined for text (or no) formats, 'unsupported' for what Anthropic cannot follow. */
export function jsonOutputTool(format: unknown): { name: string; description: string; input_schema: Obj } | 'unsupported' | undefined {
  if (!isObject(format) || format.type === 'text') return undefined
  if (format.type === 'json_object') return { name: JSON_OUTPUT_TOOL, description: 'Answer with a JSON object.', input_schema: { type: 'object', additionalProperties: true } }
  if (format.type !== 'json_schema' || !isObject(format.json_schema)) return 'unsupported'
  const js = format.json_schema
  const schema = js.schema
  // Anthropic tool inputs are objects: a schema whose root is not one cannot be asked for this way
  if (!isObject(schema) || schema.type !== 'object') return 'unsupported'
  const what = str(js.description) ?? (str(js.name) ? `the ${str(js.name)} object` : 'the requested object')
  return { name: JSON_OUTPUT_TOOL, description: `Answer with ${what}, as this tool's input.`, input_schema: schema }
}

/** OpenAI content (string or parts) -> Anthropic blocks: text, and images given as data: or http(s) URLs. */
function toBlocks(content: unknown): AnthropicBlock[] {
  if (typeof content === 'string') return content ? [{ type: 'text', text: content }] : []
  if (!Array.isArray(content)) return []
  const out: AnthropicBlock[] = []
  for (const p of content as unknown[]) {
    if (!isObject(p)) continue
    if (p.type === 'text' && typeof p.text === 'string') out.push({ type: 'text', text: p.text })
    else if (p.type === 'refusal' && typeof p.refusal === 'string') out.push({ type: 'text', text: p.refusal })
    else if (p.type === 'image_url' && isObject(p.image_url) && typeof p.image_url.url === 'string') {
      const url = p.image_url.url
      const m = /^data:([^;,]+);base64,(.*)$/s.exec(url)
      out.push({ type: 'image', source: m ? { type: 'base64', media_type: m[1] as string, data: m[2] as string } : { type: 'url', url } })
    }
  }
  return out
}

/**
 * The first part of an OpenAI chat request that Anthropic cannot take (a content part other than text or an image, a
 * tool that is not a function), as a `param` path; undefined when everything translates. The caller refuses such a
 * request: dropping the part would answer a different question than the one asked.
 */
export function untranslatable(body: Readonly<Obj>): string | undefined {
  const messages = Array.isArray(body.messages) ? (body.messages as unknown[]) : []
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i]
    if (!isObject(m) || !Array.isArray(m.content)) continue
    const parts = m.content as unknown[]
    for (let j = 0; j < parts.length; j++) {
      const p = parts[j]
      if (!isObject(p) || (p.type !== 'text' && p.type !== 'image_url' && !(p.type === 'refusal' && m.role === 'assistant'))) return `messages[${i}].content[${j}]`
    }
  }
  const tools = Array.isArray(body.tools) ? (body.tools as unknown[]) : []
  for (let i = 0; i < tools.length; i++) if (!isObject(tools[i]) || (tools[i] as Obj).type !== 'function') return `tools[${i}]`
  return undefined
}

function parseArguments(args: unknown): unknown {
  if (typeof args !== 'string' || args === '') return {}
  try {
    return JSON.parse(args)
  } catch {
    return { _raw: args }
  }
}

/** Appends blocks for a role, merging into the previous message when the role repeats (Anthropic alternates roles). */
function pushBlocks(out: AnthropicMessage[], role: 'user' | 'assistant', blocks: AnthropicBlock[]): void {
  if (blocks.length === 0) return
  const last = out[out.length - 1]
  if (last && last.role === role && Array.isArray(last.content)) last.content.push(...blocks)
  else out.push({ role, content: blocks })
}

/** An OpenAI chat request -> an Anthropic Messages request (system messages -> `system`, max_tokens defaulted, tools mapped). */
export function openAIToAnthropicRequest(body: Readonly<Obj>): AnthropicRequest {
  const system: string[] = []
  const messages: AnthropicMessage[] = []
  for (const m of Array.isArray(body.messages) ? (body.messages as unknown[]) : []) {
    if (!isObject(m)) continue
    if (m.role === 'system' || m.role === 'developer') system.push(contentText(m.content))
    else if (m.role === 'user') pushBlocks(messages, 'user', toBlocks(m.content))
    else if (m.role === 'assistant') {
      const blocks = toBlocks(m.content)
      for (const tc of Array.isArray(m.tool_calls) ? (m.tool_calls as unknown[]) : []) {
        if (!isObject(tc) || !isObject(tc.function)) continue
        blocks.push({ type: 'tool_use', id: str(tc.id) ?? '', name: str(tc.function.name) ?? '', input: parseArguments(tc.function.arguments) })
      }
      pushBlocks(messages, 'assistant', blocks)
    } else if (m.role === 'tool' || m.role === 'function') {
      pushBlocks(messages, 'user', [{ type: 'tool_result', tool_use_id: str(m.tool_call_id) ?? str(m.name) ?? '', content: contentText(m.content) }])
    }
  }
  const out: AnthropicRequest = { model: String(body.model ?? ''), messages, max_tokens: maxTokensOf(body) ?? DEFAULT_ANTHROPIC_MAX_TOKENS }
  if (system.length > 0) out.system = system.join('\n\n')
  const stop = body.stop
  if (typeof stop === 'string') out.stop_sequences = [stop]
  else if (Array.isArray(stop) && stop.length > 0) out.stop_sequences = stop.filter((s): s is string => typeof s === 'string')
  const t = num(body.temperature)
  if (t !== undefined) out.temperature = Math.min(1, Math.max(0, t)) // OpenAI allows 0..2, Anthropic 0..1
  const topP = num(body.top_p)
  if (topP !== undefined) out.top_p = topP
  if (body.stream === true) out.stream = true
  const jsonTool = jsonOutputTool(body.response_format)
  if (Array.isArray(body.tools) && body.tools.length > 0) {
    out.tools = (body.tools as unknown[]).filter(isObject).flatMap((tool) => {
      const f = tool.function
      if (tool.type !== 'function' || !isObject(f) || typeof f.name !== 'string') return []
      const description = str(f.description)
      return [{ name: f.name, ...(description ? { description } : {}), input_schema: isObject(f.parameters) ? f.parameters : { type: 'object', properties: {} } }]
    })
    const choice = toolChoiceToAnthropic(body.tool_choice)
    // parallel_tool_calls: false is Anthropic's disable_parallel_tool_use on the tool choice (auto unless one was given)
    if (body.parallel_tool_calls === false && choice?.type !== 'none') out.tool_choice = { ...(choice ?? { type: 'auto' }), disable_parallel_tool_use: true }
    else if (choice) out.tool_choice = choice
  }
  if (typeof jsonTool === 'object') {
    // with client tools the model may call one of them or answer (through the JSON tool); without, it must answer
    const hasTools = out.tools !== undefined && out.tools.length > 0 && out.tool_choice?.type !== 'none'
    out.tools = [...(out.tools ?? []), jsonTool]
    out.tool_choice = hasTools ? { type: 'any', ...(out.tool_choice?.disable_parallel_tool_use ? { disable_parallel_tool_use: true } : {}) } : { type: 'tool', name: JSON_OUTPUT_TOOL }
  }
  const user = str(body.user)
  if (user) out.metadata = { user_id: user }
  return out
}

function toolChoiceToAnthropic(c: unknown): AnthropicToolChoice | undefined {
  if (c === 'auto') return { type: 'auto' }
  if (c === 'required') return { type: 'any' }
  if (c === 'none') return { type: 'none' }
  if (isObject(c) && isObject(c.function) && typeof c.function.name === 'string') return { type: 'tool', name: c.function.name }
  return undefined
}

/** Anthropic usage in OpenAI's names (cache reads/writes are prompt tokens too). */
export function anthropicUsage(u: unknown): Usage | undefined {
  if (!isObject(u)) return undefined
  const prompt = (num(u.input_tokens) ?? 0) + (num(u.cache_creation_input_tokens) ?? 0) + (num(u.cache_read_input_tokens) ?? 0)
  const completion = num(u.output_tokens) ?? 0
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion }
}

/** An Anthropic message -> an OpenAI chat.completion. */
export function anthropicToOpenAIResponse(res: Readonly<Obj>, created = Math.floor(Date.now() / 1000)): ChatCompletion {
  let text = ''
  const toolCalls: ToolCall[] = []
  for (const b of Array.isArray(res.content) ? (res.content as unknown[]) : []) {
    if (!isObject(b)) continue
    if (b.type === 'text' && typeof b.text === 'string') text += b.text
    else if (b.type === 'tool_use' && b.name === JSON_OUTPUT_TOOL) text += JSON.stringify(b.input ?? {})
    else if (b.type === 'tool_use') toolCalls.push({ id: str(b.id) ?? '', type: 'function', function: { name: str(b.name) ?? '', arguments: JSON.stringify(b.input ?? {}) } })
  }
  const message: ChatCompletion['choices'][number]['message'] = { role: 'assistant', content: text || (toolCalls.length ? null : ''), refusal: null }
  if (toolCalls.length > 0) message.tool_calls = toolCalls
  const out: ChatCompletion = {
    id: str(res.id) ?? 'chatcmpl-anthropic',
    object: 'chat.completion',
    created,
    model: str(res.model) ?? '',
    choices: [{ index: 0, message, logprobs: null, finish_reason: toolCalls.length === 0 && res.stop_reason === 'tool_use' ? 'stop' : (STOP_TO_FINISH[str(res.stop_reason) ?? ''] ?? 'stop') }],
  }
  const usage = anthropicUsage(res.usage)
  if (usage) out.usage = usage
  return out
}

/** An Anthropic Messages request (POST /v1/messages) -> the canonical OpenAI chat request. */
export function anthropicToOpenAIRequest(body: Readonly<Obj>): Obj {
  const messages: ChatMessage[] = []
  if (body.system !== undefined) messages.push({ role: 'system', content: contentText(body.system) })
  for (const m of Array.isArray(body.messages) ? (body.messages as unknown[]) : []) {
    if (!isObject(m)) continue
    const blocks = typeof m.content === 'string' ? [{ type: 'text', text: m.content }] : Array.isArray(m.content) ? (m.content as unknown[]).filter(isObject) : []
    const parts: Obj[] = []
    const toolCalls: ToolCall[] = []
    for (const b of blocks) {
      if (b.type === 'text' && typeof b.text === 'string') parts.push({ type: 'text', text: b.text })
      else if (b.type === 'image' && isObject(b.source)) {
        const s = b.source
        const url = s.type === 'base64' ? `data:${String(s.media_type)};base64,${String(s.data)}` : String(s.url ?? '')
        parts.push({ type: 'image_url', image_url: { url } })
      } else if (b.type === 'tool_use') {
        toolCalls.push({ id: str(b.id) ?? '', type: 'function', function: { name: str(b.name) ?? '', arguments: JSON.stringify(b.input ?? {}) } })
      } else if (b.type === 'tool_result') {
        messages.push({ role: 'tool', tool_call_id: str(b.tool_use_id) ?? '', content: contentText(b.content) })
      }
    }
    const onlyText = parts.every((p) => p.type === 'text')
    const content = onlyText ? parts.map((p) => p.text as string).join('') : (parts as unknown as ChatMessage['content'])
    if (m.role === 'assistant') {
      const msg: ChatMessage = { role: 'assistant', content: toolCalls.length && !content ? null : content }
      if (toolCalls.length) msg.tool_calls = toolCalls
      messages.push(msg)
    } else if (parts.length > 0) messages.push({ role: 'user', content })
  }
  const out: Obj = { model: body.model, messages }
  if (num(body.max_tokens) !== undefined) out.max_tokens = body.max_tokens
  if (Array.isArray(body.stop_sequences)) out.stop = body.stop_sequences
  for (const k of ['temperature', 'top_p'] as const) if (num(body[k]) !== undefined) out[k] = body[k]
  if (body.stream === true) out.stream = true
  if (Array.isArray(body.tools)) {
    out.tools = (body.tools as unknown[]).filter(isObject).map((t) => ({
      type: 'function',
      function: { name: t.name, ...(typeof t.description === 'string' ? { description: t.description } : {}), parameters: t.input_schema ?? { type: 'object', properties: {} } },
    }))
    const c = body.tool_choice
    if (isObject(c)) {
      out.tool_choice = c.type === 'any' ? 'required' : c.type === 'tool' ? { type: 'function', function: { name: c.name } } : c.type === 'none' ? 'none' : 'auto'
      if (c.disable_parallel_tool_use === true) out.parallel_tool_calls = false
    }
  }
  if (isObject(body.metadata) && typeof body.metadata.user_id === 'string') out.user = body.metadata.user_id
  return out
}

/** An OpenAI chat.completion -> an Anthropic message (for /v1/messages clients routed to an OpenAI-type target). */
export function openAIToAnthropicResponse(res: Readonly<Obj>): AnthropicResponse {
  const choice = Array.isArray(res.choices) && isObject(res.choices[0]) ? (res.choices[0] as Obj) : {}
  const msg = isObject(choice.message) ? choice.message : {}
  const content: AnthropicResponse['content'] = []
  const text = contentText(msg.content)
  if (text) content.push({ type: 'text', text })
  for (const tc of Array.isArray(msg.tool_calls) ? (msg.tool_calls as unknown[]) : []) {
    if (isObject(tc) && isObject(tc.function)) content.push({ type: 'tool_use', id: str(tc.id) ?? '', name: str(tc.function.name) ?? '', input: parseArguments(tc.function.arguments) })
  }
  const u = isObject(res.usage) ? res.usage : {}
  return {
    id: str(res.id) ?? 'msg_openai',
    type: 'message',
    role: 'assistant',
    model: str(res.model) ?? '',
    content,
    stop_reason: FINISH_TO_STOP[str(choice.finish_reason) ?? ''] ?? 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: num(u.prompt_tokens) ?? 0, output_tokens: num(u.completion_tokens) ?? 0 },
  }
}
