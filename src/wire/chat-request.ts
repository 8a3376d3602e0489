/**
 * Type checks of an OpenAI chat request's own fields (SPEC §4: wrong types are `400 invalid_request` with `param`),
 * done once at parse time. Why here and not at the upstream: an OpenAI upstream's 400 would reach the client as a
 * `502`, and the translation to Anthropic cannot carry what it does not understand (a null content part dropped the
 * user's message, arguments given as an object became `{}`). Only the shapes are checked: the values are the
 * upstream's to judge, and part and tool types OpenAI adds later pass through.
 */
import { GatewayError } from '../core/errors.js'
import { isObject } from './openai.js'

type Obj = Record<string, unknown>

/** A client request's field is wrong: 400 invalid_request naming it (SPEC §4). Shared with request.ts. */
export const invalidParam = (param: string, message: string): GatewayError => new GatewayError('invalid_request', message, { param })
const bad = invalidParam
const absent = (v: unknown): boolean => v === undefined || v === null

const ROLES = new Set(['system', 'developer', 'user', 'assistant', 'tool', 'function'])
const TOOL_CHOICES = new Set(['none', 'auto', 'required'])

/** HOT PATH: a loop over the messages and their parts, no allocation unless a check fails. */
export function checkChatBody(b: Obj): void {
  checkMessages(b.messages)
  const tools = b.tools
  if (!absent(tools)) {
    if (!Array.isArray(tools)) throw bad('tools', "'tools' must be an array of tools")
    for (let i = 0; i < tools.length; i++) checkTool(tools[i], i)
  }
  const choice = b.tool_choice
  if (!absent(choice) && !(typeof choice === 'string' ? TOOL_CHOICES.has(choice) : isObject(choice) && typeof choice.type === 'string'))
    throw bad('tool_choice', "'tool_choice' must be 'none', 'auto', 'required' or an object with a 'type'")
  const format = b.response_format
  if (!absent(format) && !(isObject(format) && typeof format.type === 'string'))
    throw bad('response_format', "'response_format' must be an object with a 'type'")
  for (const p of ['logprobs', 'parallel_tool_calls', 'store'] as const)
    if (!absent(b[p]) && typeof b[p] !== 'boolean') throw bad(p, `'${p}' must be a boolean`)
  // Number.isInteger, not isSafeInteger: a 64-bit seed is valid to OpenAI (JSON.parse rounds it, as any JS client does)
  for (const p of ['top_logprobs', 'seed'] as const)
    if (!absent(b[p]) && !Number.isInteger(b[p])) throw bad(p, `'${p}' must be an integer`)
  if (!absent(b.user) && typeof b.user !== 'string') throw bad('user', "'user' must be a string")
  for (const p of ['metadata', 'logit_bias'] as const) if (!absent(b[p]) && !isObject(b[p])) throw bad(p, `'${p}' must be an object`)
}

function checkMessages(messages: unknown): void {
  if (!Array.isArray(messages)) throw bad('messages', "'messages' is required and must be an array")
  if (messages.length === 0) throw bad('messages', "'messages' must contain at least one message")
  for (let i = 0; i < messages.length; i++) {
    const m: unknown = messages[i]
    if (!isObject(m)) throw bad(`messages[${i}]`, `'messages[${i}]' must be an object`)
    const role = m.role
    if (typeof role !== 'string' || !ROLES.has(role)) throw bad(`messages[${i}].role`, `'messages[${i}].role' must be one of ${[...ROLES].join(', ')}`)
    const c = m.content
    if (Array.isArray(c)) checkParts(c, i)
    else if (typeof c !== 'string' && !(absent(c) && (role === 'assistant' || role === 'function')))
      throw bad(`messages[${i}].content`, `'messages[${i}].content' must be a string or an array of content parts`)
    if (role === 'tool' && typeof m.tool_call_id !== 'string')
      throw bad(`messages[${i}].tool_call_id`, `'messages[${i}].tool_call_id' is required in a tool message and must be a string`)
    if (role === 'assistant' && !absent(m.tool_calls)) checkToolCalls(m.tool_calls, i)
  }
}

function checkParts(parts: unknown[], i: number): void {
  for (let j = 0; j < parts.length; j++) {
    const p: unknown = parts[j]
    const param = `messages[${i}].content[${j}]`
    if (!isObject(p) || typeof p.type !== 'string') throw bad(param, `'${param}' must be a content part with a 'type'`)
    if (p.type === 'text' && typeof p.text !== 'string') throw bad(`${param}.text`, `'${param}.text' must be a string`)
    if (p.type === 'image_url' && !(isObject(p.image_url) && typeof p.image_url.url === 'string'))
      throw bad(`${param}.image_url`, `'${param}.image_url' must be an object with a 'url'`)
  }
}

function checkToolCalls(calls: unknown, i: number): void {
  if (!Array.isArray(calls)) throw bad(`messages[${i}].tool_calls`, `'messages[${i}].tool_calls' must be an array`)
  for (let j = 0; j < calls.length; j++) {
    const tc: unknown = calls[j]
    const param = `messages[${i}].tool_calls[${j}]`
    if (!isObject(tc) || typeof tc.id !== 'string') throw bad(param, `'${param}' must be an object with a string 'id'`)
    // custom tools (type 'custom') carry their own shape; a function call needs its name and its arguments as a JSON string
    if (tc.type === 'custom') continue
    const f = tc.function
    if (!isObject(f) || typeof f.name !== 'string') throw bad(`${param}.function.name`, `'${param}.function.name' must be a string`)
    if (typeof f.arguments !== 'string') throw bad(`${param}.function.arguments`, `'${param}.function.arguments' must be a string (JSON text)`)
  }
}

function checkTool(t: unknown, i: number): void {
  if (!isObject(t) || typeof t.type !== 'string') throw bad(`tools[${i}]`, `'tools[${i}]' must be an object with a 'type'`)
  if (t.type !== 'function') return
  const f = t.function
  if (!isObject(f) || typeof f.name !== 'string') throw bad(`tools[${i}].function.name`, `'tools[${i}].function.name' must be a string`)
  if (!absent(f.parameters) && !isObject(f.parameters)) throw bad(`tools[${i}].function.parameters`, `'tools[${i}].function.parameters' must be an object`)
}
