/** The mock's answers in the OpenAI chat and completions wire formats (SPEC §2 `mock`, §4): text, tool calls, streams. */
import type { Usage } from '../core/types.js'
import { DONE_DATA } from './openai.js'
import { jsonPieces, type MockToolCall } from './mock-plan.js'

/** One choice's answer: text pieces (joined: the text) and tool calls (none for a text answer). */
export interface MockContent {
  readonly pieces: readonly string[]
  readonly calls: readonly MockToolCall[]
}
export type MockFinish = 'stop' | 'length' | 'tool_calls'

const sse = (data: string): string => `data: ${data}\n\n`

export function chatCompletion(id: string, created: number, model: string, choices: readonly MockContent[], usage: Usage, finish: MockFinish): string {
  return JSON.stringify({
    id,
    object: 'chat.completion',
    created,
    model,
    choices: choices.map((c, index) => {
      const message: Record<string, unknown> = { role: 'assistant', content: c.calls.length > 0 && c.pieces.length === 0 ? null : c.pieces.join(''), refusal: null }
      if (c.calls.length > 0) message.tool_calls = c.calls.map((t) => ({ id: `call_${t.id}`, type: 'function', function: { name: t.name, arguments: t.arguments } }))
      return { index, message, logprobs: null, finish_reason: finish }
    }),
    usage,
    system_fingerprint: 'fp_llmgw_mock',
  })
}

/** The deltas of one choice, as JSON texts: the role, then content pieces, then each call's head and argument pieces. */
function deltasOf(c: MockContent): string[] {
  const out = [c.calls.length > 0 && c.pieces.length === 0 ? '{"role":"assistant","content":null,"refusal":null}' : '{"role":"assistant","content":"","refusal":null}']
  for (const p of c.pieces) out.push(`{"content":${JSON.stringify(p)}}`)
  c.calls.forEach((t, i) => {
    out.push(`{"tool_calls":[{"index":${i},"id":"call_${t.id}","type":"function","function":{"name":${JSON.stringify(t.name)},"arguments":""}}]}`)
    for (const a of jsonPieces(t.arguments)) out.push(`{"tool_calls":[{"index":${i},"function":{"arguments":${JSON.stringify(a)}}}]}`)
  })
  return out
}

/** One stream per answer; with several choices (n) their chunks interleave, delta by delta, as OpenAI's do. */
export function chatStream(id: string, created: number, model: string, choices: readonly MockContent[], usage: Usage, finish: MockFinish, withUsage: boolean): string[] {
  // the envelope is built once per answer; each chunk only adds its delta (OpenAI sends usage:null on every chunk when asked)
  const base = `{"id":"${id}","object":"chat.completion.chunk","created":${created},"model":${JSON.stringify(model)},"system_fingerprint":"fp_llmgw_mock","choices":[{"index":`
  const heads = choices.map((_, i) => `${base}${i},"delta":`)
  const tail = (f: string): string => `,"logprobs":null,"finish_reason":${f}}]${withUsage ? ',"usage":null' : ''}}`
  const deltas = choices.map(deltasOf)
  const out: string[] = []
  const longest = Math.max(...deltas.map((d) => d.length))
  for (let k = 0; k < longest; k++) {
    for (let i = 0; i < deltas.length; i++) {
      const d = deltas[i]![k]
      if (d !== undefined) out.push(sse(`${heads[i]}${d}${tail('null')}`))
    }
  }
  for (const head of heads) out.push(sse(`${head}{}${tail(`"${finish}"`)}`))
  if (withUsage) {
    out.push(sse(JSON.stringify({ id, object: 'chat.completion.chunk', created, model, system_fingerprint: 'fp_llmgw_mock', choices: [], usage })))
  }
  out.push(sse(DONE_DATA))
  return out
}

export function textCompletion(id: string, created: number, model: string, text: string, usage: Usage, truncated: boolean): string {
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

export function completionStream(id: string, created: number, model: string, pieces: string[], usage: Usage, truncated: boolean, withUsage: boolean): string[] {
  const chunk = (text: string, finish: string | null) =>
    sse(JSON.stringify({ id, object: 'text_completion', created, model, choices: [{ text, index: 0, logprobs: null, finish_reason: finish }] }))
  const out = pieces.map((p) => chunk(p, null))
  out.push(chunk('', truncated ? 'length' : 'stop'))
  if (withUsage) out.push(sse(JSON.stringify({ id, object: 'text_completion', created, model, choices: [], usage })))
  out.push(sse(DONE_DATA))
  return out
}
