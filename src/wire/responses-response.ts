/**
 * A chat.completion -> a Responses API `response` object (SPEC §4 POST /v1/responses, translated targets): output
 * message / function_call items, usage in the Responses names, status from finish_reason, the request's settings
 * echoed as OpenAI echoes them. Shared with responses-stream.ts (the envelope and items of its events).
 */
import { isObject } from './openai.js'

type Obj = Record<string, unknown>
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined)
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0)

export interface ResponsesUsage {
  input_tokens: number
  input_tokens_details: { cached_tokens: number }
  output_tokens: number
  output_tokens_details: { reasoning_tokens: number }
  total_tokens: number
}

/** Chat usage (with its optional details) in the Responses names; undefined when the answer carried none. */
export function responsesUsage(u: unknown): ResponsesUsage | undefined {
  if (!isObject(u)) return undefined
  const input = num(u.prompt_tokens)
  const output = num(u.completion_tokens)
  const pd = isObject(u.prompt_tokens_details) ? u.prompt_tokens_details : {}
  const cd = isObject(u.completion_tokens_details) ? u.completion_tokens_details : {}
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: num(pd.cached_tokens) },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: num(cd.reasoning_tokens) },
    total_tokens: typeof u.total_tokens === 'number' ? u.total_tokens : input + output,
  }
}

const NOT_ID = /[^A-Za-z0-9_]/g

/** `chatcmpl-abc` -> `abc`, `call_abc` -> `abc`: one answer's ids (resp_, msg_, fc_) stay related and deterministic. */
export function idSuffix(chatId: unknown): string {
  const id = str(chatId) ?? ''
  const m = /[-_]/.exec(id)
  const s = (m ? id.slice(m.index + 1) : id).replace(NOT_ID, '')
  return s === '' ? Date.now().toString(16) : s
}

/** status + incomplete_details for a chat finish_reason. */
export function statusOf(finish: unknown): { status: 'completed' | 'incomplete'; incomplete_details: { reason: string } | null } {
  if (finish === 'length') return { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } }
  if (finish === 'content_filter') return { status: 'incomplete', incomplete_details: { reason: 'content_filter' } }
  return { status: 'completed', incomplete_details: null }
}

/** The response object without output/usage: the request's own settings, as OpenAI echoes them back. */
export function responseEnvelope(req: Readonly<Obj>, id: string, createdAt: number, model: string): Obj {
  const text = isObject(req.text) ? req.text : {}
  const reasoning = isObject(req.reasoning) ? req.reasoning : {}
  return {
    id,
    object: 'response',
    created_at: createdAt,
    status: 'in_progress',
    background: false,
    error: null,
    incomplete_details: null,
    instructions: str(req.instructions) ?? null,
    max_output_tokens: typeof req.max_output_tokens === 'number' ? req.max_output_tokens : null,
    model,
    output: [],
    parallel_tool_calls: req.parallel_tool_calls !== false,
    previous_response_id: null,
    reasoning: { effort: str(reasoning.effort) ?? null, summary: str(reasoning.summary) ?? null },
    store: false,
    temperature: typeof req.temperature === 'number' ? req.temperature : 1,
    text: { format: isObject(text.format) ? text.format : { type: 'text' }, verbosity: str(text.verbosity) ?? 'medium' },
    tool_choice: req.tool_choice ?? 'auto',
    tools: Array.isArray(req.tools) ? req.tools : [],
    top_p: typeof req.top_p === 'number' ? req.top_p : 1,
    truncation: 'disabled',
    usage: null,
    user: str(req.user) ?? null,
    metadata: isObject(req.metadata) ? req.metadata : {},
  }
}

export const messageItem = (id: string, status: string, content: Obj[]): Obj => ({ id, type: 'message', status, role: 'assistant', content })
export const textPart = (text: string): Obj => ({ type: 'output_text', annotations: [], logprobs: [], text })
export const functionCallItem = (id: string, status: string, callId: string, name: string, args: string): Obj => ({
  id, type: 'function_call', status, arguments: args, call_id: callId, name,
})
export const reasoningItem = (id: string, text: string): Obj => ({ id, type: 'reasoning', summary: [{ type: 'summary_text', text }] })

/** The reasoning text some chat servers add beside the answer (DeepSeek, vLLM: reasoning_content; others: reasoning). */
export const reasoningOf = (m: Obj): string | undefined => str(m.reasoning_content) ?? str(m.reasoning)

/** A chat.completion (first choice) -> a Responses `response` object for the request `req` (the Responses body). */
export function chatToResponsesResponse(chat: Readonly<Obj>, req: Readonly<Obj>): Obj {
  const suffix = idSuffix(chat.id)
  const out = responseEnvelope(req, `resp_${suffix}`, num(chat.created) || Math.floor(Date.now() / 1000), str(chat.model) ?? str(req.model) ?? '')
  const choice = Array.isArray(chat.choices) && isObject(chat.choices[0]) ? (chat.choices[0] as Obj) : {}
  const msg = isObject(choice.message) ? choice.message : {}
  const output: Obj[] = []
  const reasoning = reasoningOf(msg)
  if (reasoning) output.push(reasoningItem(`rs_${suffix}`, reasoning))
  const content: Obj[] = []
  if (typeof msg.content === 'string' && msg.content !== '') content.push(textPart(msg.content))
  if (typeof msg.refusal === 'string' && msg.refusal !== '') content.push({ type: 'refusal', refusal: msg.refusal })
  const calls = Array.isArray(msg.tool_calls) ? (msg.tool_calls as unknown[]).filter(isObject) : []
  // an empty answer is still one (empty) message, as OpenAI sends it; a pure tool-call answer has none
  if (content.length > 0 || calls.length === 0) output.push(messageItem(`msg_${suffix}`, 'completed', content.length > 0 ? content : [textPart('')]))
  for (let i = 0; i < calls.length; i++) {
    const tc = calls[i] as Obj
    const f = isObject(tc.function) ? tc.function : {}
    const callId = str(tc.id) ?? `call_${suffix}_${i}`
    output.push(functionCallItem(`fc_${idSuffix(callId)}`, 'completed', callId, str(f.name) ?? '', str(f.arguments) ?? ''))
  }
  Object.assign(out, statusOf(choice.finish_reason))
  out.output = output
  out.usage = responsesUsage(chat.usage) ?? null
  return out
}
