/** The mock's answers in the Anthropic Messages wire format (SPEC §2 `mock`, §4 POST /v1/messages): text and tool_use. */
import type { Usage } from '../core/types.js'
import type { MockContent, MockFinish } from './mock-chat.js'
import { jsonPieces } from './mock-plan.js'

const event = (name: string, data: unknown): string => `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`
const STOP: Record<MockFinish, string> = { stop: 'end_turn', length: 'max_tokens', tool_calls: 'tool_use' }

export function formatAnthropicMessage(id: string, model: string, c: MockContent, usage: Usage, finish: MockFinish): string {
  const content: unknown[] = c.pieces.length > 0 || c.calls.length === 0 ? [{ type: 'text', text: c.pieces.join('') }] : []
  for (const t of c.calls) content.push({ type: 'tool_use', id: `toolu_${t.id}`, name: t.name, input: JSON.parse(t.arguments) })
  return JSON.stringify({
    id,
    type: 'message',
    role: 'assistant',
    model,
    content,
    stop_reason: STOP[finish],
    stop_sequence: null,
    usage: { input_tokens: usage.prompt_tokens, output_tokens: usage.completion_tokens },
  })
}

/**
 * message_start, per block content_block_start (a ping after the first), its deltas (text_delta, input_json_delta),
 * content_block_stop; then message_delta and message_stop.
 */
export function formatAnthropicStream(id: string, model: string, c: MockContent, usage: Usage, finish: MockFinish): string[] {
  const out = [
    event('message_start', {
      type: 'message_start',
      message: {
        id,
        type: 'message',
        role: 'assistant',
        model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: usage.prompt_tokens, output_tokens: 1 },
      },
    }),
  ]
  let index = 0
  const block = (start: unknown, deltas: unknown[]): void => {
    out.push(event('content_block_start', { type: 'content_block_start', index, content_block: start }))
    if (index === 0) out.push(event('ping', { type: 'ping' }))
    for (const delta of deltas) out.push(event('content_block_delta', { type: 'content_block_delta', index, delta }))
    out.push(event('content_block_stop', { type: 'content_block_stop', index }))
    index++
  }
  if (c.pieces.length > 0 || c.calls.length === 0) block({ type: 'text', text: '' }, c.pieces.map((text) => ({ type: 'text_delta', text })))
  for (const t of c.calls) {
    block({ type: 'tool_use', id: `toolu_${t.id}`, name: t.name, input: {} }, jsonPieces(t.arguments).map((partial_json) => ({ type: 'input_json_delta', partial_json })))
  }
  out.push(
    event('message_delta', {
      type: 'message_delta',
      delta: { stop_reason: STOP[finish], stop_sequence: null },
      usage: { output_tokens: usage.completion_tokens },
    }),
    event('message_stop', { type: 'message_stop' }),
  )
  return out
}
