/**
 * Anthropic Messages client -> OpenAI-wire backend (SPEC §4 POST /v1/messages, translated both ways): the request goes
 * as the canonical chat body (wire/request.ts translated it at parse); the adapter relays the chat answer as received
 * (its fast pass-through path) and this sink rewrites it into an Anthropic message / Messages event stream.
 */
import { openAIToAnthropicResponse } from '../wire/anthropic-openai.js'
import { createOpenAIToAnthropicStream } from '../wire/anthropic-openai-stream.js'
import { DONE_DATA, isObject } from '../wire/openai.js'
import type { SseEvent } from '../wire/sse.js'
import type { AttemptResult, AttemptSink } from '../providers/types.js'
import { PASS_THROUGH } from './pass-through.js'
import { RewritingSink } from './rewriting-sink.js'
import type { AttemptRequest, TranslateInput, Translator } from './types.js'

/** OpenAI chat bytes in, Anthropic bytes out. */
class MessagesFromChat extends RewritingSink {
  protected readonly target = 'an Anthropic message'
  readonly #tr: ReturnType<typeof createOpenAIToAnthropicStream> | undefined

  constructor(inner: AttemptSink, stream: boolean) {
    super(inner, stream)
    if (stream) this.#tr = createOpenAIToAnthropicStream()
  }

  protected onEvent(e: SseEvent): void {
    if (e.data === DONE_DATA) return
    const obj: unknown = JSON.parse(e.data)
    if (isObject(obj)) for (const s of this.#tr!.push(obj)) this.emit(s)
  }

  #usage: AttemptResult['usage']

  override end(res: AttemptResult): void {
    this.#usage = res.usage // message_delta carries the final usage, the upstream's or counted
    super.end(res)
  }

  protected closeStream(): void {
    for (const s of this.#tr!.finish(this.#usage)) this.emit(s)
  }

  protected rewrite(chat: Record<string, unknown>, res: AttemptResult): string {
    return JSON.stringify(openAIToAnthropicResponse({ ...chat, usage: res.usage }))
  }
}

function request(p: TranslateInput, model: string): AttemptRequest {
  // the usage chunk must come through: Anthropic streams always end with usage (message_delta)
  return { ...PASS_THROUGH.request(p, model), endpoint: 'chat', clientFormat: 'openai', clientWantsUsage: p.stream }
}

/** /v1/messages to openai and azure-openai providers. */
export const MESSAGES_TO_CHAT: Translator = {
  name: 'anthropic-messages->openai-chat',
  request,
  wrap: (sink, p) => new MessagesFromChat(sink, p.stream),
}
