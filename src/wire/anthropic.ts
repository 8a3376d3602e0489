/** Anthropic Messages API wire shapes (SPEC §4 POST /v1/messages; providers[].type anthropic). */

export interface AnthropicTextBlock {
  type: 'text'
  text: string
}
export interface AnthropicImageBlock {
  type: 'image'
  source: { type: 'base64'; media_type: string; data: string } | { type: 'url'; url: string }
}
export interface AnthropicToolUseBlock {
  type: 'tool_use'
  id: string
  name: string
  input: unknown
}
export interface AnthropicToolResultBlock {
  type: 'tool_result'
  tool_use_id: string
  content?: string | AnthropicTextBlock[]
  is_error?: boolean
}
export type AnthropicBlock = AnthropicTextBlock | AnthropicImageBlock | AnthropicToolUseBlock | AnthropicToolResultBlock

export interface AnthropicMessage {
  role: 'user' | 'assistant'
  content: string | AnthropicBlock[]
}

export interface AnthropicTool {
  name: string
  description?: string
  input_schema: Record<string, unknown>
}

/** `disable_parallel_tool_use` (auto, any, tool): at most one tool call per answer, OpenAI's parallel_tool_calls: false. */
export type AnthropicToolChoice = ({ type: 'auto' } | { type: 'any' } | { type: 'none' } | { type: 'tool'; name: string }) & { disable_parallel_tool_use?: boolean }

export interface AnthropicRequest {
  model: string
  messages: AnthropicMessage[]
  system?: string | AnthropicTextBlock[]
  max_tokens: number
  stop_sequences?: string[]
  temperature?: number
  top_p?: number
  top_k?: number
  stream?: boolean
  tools?: AnthropicTool[]
  tool_choice?: AnthropicToolChoice
  metadata?: { user_id?: string }
}

export type AnthropicStopReason = 'end_turn' | 'max_tokens' | 'stop_sequence' | 'tool_use' | 'pause_turn' | 'refusal'

export interface AnthropicUsage {
  input_tokens: number
  output_tokens: number
  cache_creation_input_tokens?: number | null
  cache_read_input_tokens?: number | null
}

export interface AnthropicResponse {
  id: string
  type: 'message'
  role: 'assistant'
  model: string
  content: Array<AnthropicTextBlock | AnthropicToolUseBlock>
  stop_reason: AnthropicStopReason | null
  stop_sequence: string | null
  usage: AnthropicUsage
}

/** The `anthropic-version` header value this gateway speaks. */
export const ANTHROPIC_VERSION = '2023-06-01'

/** max_tokens is required by Anthropic; OpenAI requests may leave it out. */
export const DEFAULT_ANTHROPIC_MAX_TOKENS = 4096

/** An SSE event in Anthropic's format: `event:` line named after the data's type. */
export function formatAnthropicEvent(data: { type: string; [k: string]: unknown }): string {
  return `event: ${data.type}\ndata: ${JSON.stringify(data)}\n\n`
}

/** Anthropic's error JSON, for errors reported to /v1/messages clients. */
export function formatAnthropicError(type: string, message: string): string {
  return JSON.stringify({ type: 'error', error: { type, message } })
}
