/**
 * An answer that arrives as plain text pieces (SPEC §4 for non-HTTP upstreams: gRPC, GraphQL), formatted for the
 * client: an OpenAI chat.completion / text_completion (or their SSE chunks), or an Anthropic message when the client
 * spoke /v1/messages (through the same translator the OpenAI-type providers use).
 */
import type { Usage } from '../core/types.js'
import { openAIToAnthropicResponse } from './anthropic-openai.js'
import { createOpenAIToAnthropicStream } from './anthropic-openai-stream.js'
import { DONE_DATA, type FinishReason } from './openai.js'
import { formatSseEvent } from './sse.js'

export interface TextAnswerOptions {
  endpoint: 'chat' | 'completions'
  clientFormat: 'openai' | 'anthropic'
  model: string
  /** The client asked for stream_options.include_usage (OpenAI streams only). */
  includeUsage: boolean
  id: string
}

export interface TextAnswer {
  /** A non-streaming body. */
  whole(text: string, finish: FinishReason, usage: Usage): string
  /** Stream: the events one text piece adds (the first call also opens the stream). */
  delta(text: string): string[]
  /** Stream: the closing events (finish, usage when asked, [DONE]). */
  end(finish: FinishReason, usage: Usage): string[]
}

export function createTextAnswer(o: TextAnswerOptions): TextAnswer {
  const created = Math.floor(Date.now() / 1000)
  const isChat = o.endpoint === 'chat'
  const object = isChat ? 'chat.completion.chunk' : 'text_completion'
  const tr = o.clientFormat === 'anthropic' ? createOpenAIToAnthropicStream() : undefined
  let opened = false
  const envelope = (choices: unknown[], usage?: Usage | null): Record<string, unknown> => ({
    id: o.id,
    object,
    created,
    model: o.model,
    choices,
    ...(usage !== undefined ? { usage } : o.includeUsage && !tr ? { usage: null } : {}),
  })
  const choice = (text: string | undefined, finish: FinishReason | null): unknown =>
    isChat
      ? { index: 0, delta: text === undefined ? {} : opened ? { content: text } : { role: 'assistant', content: text }, logprobs: null, finish_reason: finish }
      : { index: 0, text: text ?? '', logprobs: null, finish_reason: finish }
  const emit = (obj: Record<string, unknown>): string[] => (tr ? tr.push(obj) : [formatSseEvent(JSON.stringify(obj))])
  return {
    whole(text, finish, usage) {
      const res = isChat
        ? { id: o.id, object: 'chat.completion', created, model: o.model, choices: [{ index: 0, message: { role: 'assistant', content: text, refusal: null }, logprobs: null, finish_reason: finish }], usage }
        : { id: o.id, object: 'text_completion', created, model: o.model, choices: [{ index: 0, text, logprobs: null, finish_reason: finish }], usage }
      return JSON.stringify(tr ? openAIToAnthropicResponse(res) : res)
    },
    delta(text) {
      const out = emit(envelope([choice(text, null)]))
      opened = true
      return out
    },
    end(finish, usage) {
      const out = opened || !isChat ? [] : this.delta('')
      out.push(...emit(envelope([choice(undefined, finish)])))
      if (tr) return [...out, ...tr.finish(usage)]
      if (o.includeUsage) out.push(formatSseEvent(JSON.stringify(envelope([], usage))))
      out.push(formatSseEvent(DONE_DATA))
      return out
    },
  }
}

/** An upstream's stop reason (TGIS MAX_TOKENS, a GraphQL "length", a KServe parameter...) -> OpenAI's finish_reason. */
export function parseFinishReason(v: unknown): FinishReason {
  if (typeof v !== 'string' && typeof v !== 'number') return 'stop'
  const s = String(v).toLowerCase()
  if (s === '1' || s.includes('length') || s.includes('max') || s.includes('token_limit')) return 'length'
  if (s.includes('filter')) return 'content_filter'
  return 'stop'
}
