/** The mock's answers in the Anthropic Messages wire format (SPEC §2 `mock`, §4 POST /v1/messages). */
import type { Usage } from '../core/types.js'

const event = (name: string, data: unknown): string => `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`

export function formatAnthropicMessage(id: string, model: string, text: string, usage: Usage, truncated: boolean): string {
  return JSON.stringify({
    id,
    type: 'message',
    role: 'assistant',
    model,
    content: [{ type: 'text', text }],
    stop_reason: truncated ? 'max_tokens' : 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: usage.prompt_tokens, output_tokens: usage.completion_tokens },
  })
}

/** message_start, content_block_start, ping, one content_block_delta per piece, content_block_stop, message_delta, message_stop. */
export function formatAnthropicStream(id: string, model: string, pieces: readonly string[], usage: Usage, truncated: boolean): string[] {
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
    event('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }),
    event('ping', { type: 'ping' }),
  ]
  for (const text of pieces) out.push(event('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } }))
  out.push(
    event('content_block_stop', { type: 'content_block_stop', index: 0 }),
    event('message_delta', {
      type: 'message_delta',
      delta: { stop_reason: truncated ? 'max_tokens' : 'end_turn', stop_sequence: null },
      usage: { output_tokens: usage.completion_tokens },
    }),
    event('message_stop', { type: 'message_stop' }),
  )
  return out
}
