/**
 * What the mock answers (SPEC §2 `mock`): text, a tool call, or JSON for a schema; decided from the request in its
 * chat shape (Anthropic and Responses requests are translated first), the same in every wire format. The rule:
 *   - tools offered and tool_choice not 'none':
 *       x-mock-tool: <name> | all | none (or `[mock-tool: ...]` in the last user message) decides first;
 *       tool_choice required (Anthropic any) or a named tool: a call, always;
 *       auto / absent: a call when the last message is the user's, text after a tool result (agent loops end);
 *       which tool: the named one, else the first the last user message names (its name, or a word of 4+ letters
 *       of it: get_weather -> "weather"), else the first;
 *   - otherwise response_format json_schema (Responses text.format, Anthropic output_format): JSON valid against it;
 *     json_object: {"answer": "<text>"};
 *   - otherwise the deterministic text.
 * Arguments and JSON come from the schema (wire/mock-schema.ts), seeded by the conversation.
 */
import { contentText, isObject } from './openai.js'
import { sampleSchema } from './mock-schema.js'
import { createRandom, hashText } from './mock-text.js'

type Obj = Record<string, unknown>

export interface MockToolCall {
  /** Without a prefix: each wire format adds its own (call_, toolu_). */
  readonly id: string
  readonly name: string
  /** JSON text */
  readonly arguments: string
}
export type MockPlan =
  | { readonly kind: 'text' }
  | { readonly kind: 'json'; readonly schema: unknown | undefined }
  | { readonly kind: 'tools'; readonly calls: readonly MockToolCall[] }
  | { readonly kind: 'error'; readonly message: string }

const TEXT: MockPlan = { kind: 'text' }
// literal, compiled once; the control names a tool, `all` or `none`
const PROMPT_CONTROL = /\[mock-tool:\s*([^\]\s]+)\s*\]/

interface Tool {
  name: string
  parameters: unknown
}

/** `chat`: the request in chat shape; `key`: its conversation key (seed); `control`: the x-mock-tool header. */
export function planMockAnswer(chat: Readonly<Obj>, key: string, control: string | undefined): MockPlan {
  // HOT PATH for benchmarks over `type: mock`: a plain chat request costs two property reads here
  if (chat.tools === undefined && chat.response_format === undefined) return TEXT
  const tools: Tool[] = []
  for (const t of Array.isArray(chat.tools) ? (chat.tools as unknown[]) : []) {
    if (isObject(t) && t.type === 'function' && isObject(t.function) && typeof t.function.name === 'string')
      tools.push({ name: t.function.name, parameters: t.function.parameters })
  }
  const messages = Array.isArray(chat.messages) ? (chat.messages as unknown[]).filter(isObject) : []
  const last = messages.filter((m) => m.role !== 'system' && m.role !== 'developer').at(-1)
  const lastUser = last?.role === 'user' ? contentText(last.content) : ''
  const choice = chat.tool_choice
  if (tools.length > 0 && choice !== 'none') {
    const ctl = control ?? PROMPT_CONTROL.exec(lastUser)?.[1]
    const seed = `${key}\u0003`
    if (ctl === 'all') return { kind: 'tools', calls: tools.map((t, i) => callOf(t, seed, i)) }
    if (ctl !== undefined && ctl !== 'none') {
      const t = tools.find((x) => x.name === ctl)
      if (!t) return { kind: 'error', message: `mock: x-mock-tool names '${ctl}', which the request does not offer (offered: ${tools.map((x) => x.name).join(', ')})` }
      return { kind: 'tools', calls: [callOf(t, seed, 0)] }
    }
    if (ctl === undefined) {
      const named = isObject(choice) && isObject(choice.function) && typeof choice.function.name === 'string' ? choice.function.name : undefined
      if (named !== undefined) {
        const t = tools.find((x) => x.name === named)
        if (!t) return { kind: 'error', message: `tool_choice names '${named}', which is not among the request's tools` }
        return { kind: 'tools', calls: [callOf(t, seed, 0)] }
      }
      const allowed = allowedTools(choice, tools)
      const required = choice === 'required' || (isObject(choice) && isObject(choice.allowed_tools) && choice.allowed_tools.mode === 'required')
      if (allowed.length > 0 && (required || last?.role === 'user')) return { kind: 'tools', calls: [callOf(mentioned(allowed, lastUser), seed, 0)] }
    }
  }
  const f = chat.response_format
  if (isObject(f) && f.type === 'json_schema') return { kind: 'json', schema: isObject(f.json_schema) ? f.json_schema.schema : undefined }
  if (isObject(f) && f.type === 'json_object') return { kind: 'json', schema: undefined }
  return TEXT
}

/** allowed_tools narrows the choice (chat's and the Responses form); any other choice leaves every tool. */
function allowedTools(choice: unknown, tools: Tool[]): Tool[] {
  if (!isObject(choice) || !isObject(choice.allowed_tools) || !Array.isArray(choice.allowed_tools.tools)) return tools
  const names = new Set((choice.allowed_tools.tools as unknown[]).map((t) => (isObject(t) && isObject(t.function) ? t.function.name : isObject(t) ? t.name : undefined)))
  return tools.filter((t) => names.has(t.name))
}

/** The first tool the text names (its full name, or a word of 4+ letters of it: get_weather -> "weather"); else the first. */
function mentioned(tools: Tool[], text: string): Tool {
  const lower = text.toLowerCase()
  const names = (t: Tool): string[] => [t.name, ...t.name.split(/[^A-Za-z0-9]+|(?<=[a-z])(?=[A-Z])/).filter((w) => w.length >= 4)].map((w) => w.toLowerCase())
  return tools.find((t) => names(t).some((w) => lower.includes(w))) ?? tools[0]!
}

function callOf(t: Tool, seed: string, i: number): MockToolCall {
  const s = hashText(`${seed}${t.name}\u0003${i}`)
  const args = sampleSchema(isObject(t.parameters) ? t.parameters : { type: 'object', properties: {} }, createRandom(s))
  return { id: `mock${s.toString(16).padStart(8, '0')}${i}`, name: t.name, arguments: JSON.stringify(args) }
}

/** The JSON text of a json plan: a value valid against the schema, or {"answer": text} without one. */
export function planJson(schema: unknown | undefined, key: string, text: string): string {
  return schema === undefined ? JSON.stringify({ answer: text }) : JSON.stringify(sampleSchema(schema, createRandom(hashText(`${key}\u0004`))))
}

/** Pieces of a JSON text for streaming (about two tokens each); joined they are the text. */
export function jsonPieces(text: string): string[] {
  const out: string[] = []
  for (let i = 0; i < text.length; i += 8) out.push(text.slice(i, i + 8))
  return out.length > 0 ? out : ['']
}

/** Tokens a generated JSON text counts for (about 4 characters a token, at least 1). */
export const jsonTokens = (text: string): number => Math.max(1, Math.ceil(text.length / 4))
