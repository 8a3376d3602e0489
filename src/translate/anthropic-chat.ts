/**
 * Chat client -> Anthropic backend, answer side (SPEC §3 providers anthropic, §4 translated both ways): the adapter
 * relays Anthropic's Messages JSON/SSE as received (what /v1/messages clients get); for OpenAI clients this sink turns
 * it into a chat.completion / chat.completion.chunk stream. The request side is the adapter's (its wire format).
 */
import { anthropicToOpenAIResponse } from '../wire/anthropic-openai.js'
import { createAnthropicToOpenAIStream } from '../wire/anthropic-openai-stream.js'
import { isObject } from '../wire/openai.js'
import type { SseEvent } from '../wire/sse.js'
import type { AttemptResult, AttemptSink } from '../providers/types.js'
import { PASS_THROUGH } from './pass-through.js'
import { RewritingSink } from './rewriting-sink.js'
import type { AttemptRequest, TranslateInput, Translator } from './types.js'

/** Anthropic bytes in, OpenAI chat bytes out. */
export class ChatFromAnthropic extends RewritingSink {
  protected readonly target = 'a chat completion'
  readonly #tr: ReturnType<typeof createAnthropicToOpenAIStream> | undefined

  constructor(inner: AttemptSink, stream: boolean, clientWantsUsage: boolean) {
    super(inner, stream)
    if (stream) this.#tr = createAnthropicToOpenAIStream(clientWantsUsage)
  }

  protected onEvent(e: SseEvent): void {
    // an error event already failed the attempt in the adapter
    const obj: unknown = JSON.parse(e.data)
    if (isObject(obj) && obj.type !== 'error') for (const s of this.#tr!.push(obj)) this.emit(s)
  }

  protected closeStream(): void {
    for (const s of this.#tr!.finish()) this.emit(s)
  }

  protected rewrite(msg: Record<string, unknown>, res: AttemptResult): string {
    return JSON.stringify({ ...anthropicToOpenAIResponse(msg), usage: res.usage })
  }
}

function request(p: TranslateInput, model: string): AttemptRequest {
  // the adapter builds Anthropic's body from the canonical one, and answers in Anthropic's format
  return { ...PASS_THROUGH.request(p, model), clientFormat: 'anthropic' }
}

/** chat to an anthropic provider. */
export const CHAT_TO_ANTHROPIC: Translator = {
  name: 'openai-chat->anthropic-messages',
  request,
  wrap: (sink, p) => new ChatFromAnthropic(sink, p.stream, p.clientWantsUsage),
}

/** responses to an anthropic provider: Responses -> chat (responses-chat.ts), then chat -> Anthropic, and back. */
export function composeWithAnthropic(toChat: Translator): Translator {
  const wrapChat = toChat.wrap
  return {
    name: `${toChat.name}->anthropic-messages`,
    request: (p, model) => ({ ...toChat.request(p, model), clientFormat: 'anthropic' }),
    // the chat stream between the two must carry usage: the outer translator reports it (response.completed)
    wrap: (sink, p) => new ChatFromAnthropic(wrapChat ? wrapChat(sink, p) : sink, p.stream, true),
  }
}
