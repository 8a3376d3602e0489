/**
 * Chat client -> Anthropic backend, answer side (SPEC §3 providers anthropic, §4 translated both ways): the adapter
 * relays Anthropic's Messages JSON/SSE as received (what /v1/messages clients get); for OpenAI clients this sink turns
 * it into a chat.completion / chat.completion.chunk stream. The request side is the adapter's (its wire format).
 */
import { asBuffer } from '../core/bytes.js'
import { GatewayError } from '../core/errors.js'
import { anthropicToOpenAIResponse } from '../wire/anthropic-openai.js'
import { createAnthropicToOpenAIStream } from '../wire/anthropic-openai-stream.js'
import { isObject } from '../wire/openai.js'
import { createSseSplitter } from '../wire/sse.js'
import type { AttemptResult, AttemptSink } from '../providers/types.js'
import { PASS_THROUGH } from './pass-through.js'
import type { AttemptRequest, TranslateInput, TranslatingSink, Translator } from './types.js'

const decoder = new TextDecoder()

/** Anthropic bytes in, OpenAI chat bytes out; one client write per upstream write (backpressure passes through). */
export class ChatFromAnthropic implements TranslatingSink {
  readonly #inner: AttemptSink
  readonly #tr: ReturnType<typeof createAnthropicToOpenAIStream> | undefined
  readonly #split: ReturnType<typeof createSseSplitter> | undefined
  #out = ''
  #json: Uint8Array[] | undefined

  constructor(inner: AttemptSink, stream: boolean, clientWantsUsage: boolean) {
    this.#inner = inner
    if (!stream) return
    const tr = (this.#tr = createAnthropicToOpenAIStream(clientWantsUsage))
    // the adapter checked every event (JSON objects; an error event already failed the attempt)
    this.#split = createSseSplitter((e) => {
      const obj: unknown = JSON.parse(e.data)
      if (isObject(obj) && obj.type !== 'error') for (const s of tr.push(obj)) this.#out += s
    })
  }

  begin(contentType: string): void {
    this.#inner.begin(contentType)
  }

  // HOT PATH (per upstream read of a translated stream)
  chunk(bytes: string | Uint8Array): boolean {
    if (this.#split === undefined) {
      ;(this.#json ??= []).push(asBuffer(bytes))
      return true
    }
    this.#split.push(asBuffer(bytes))
    if (this.#out === '') return true
    const s = this.#out
    this.#out = ''
    return this.#inner.chunk(s)
  }

  drained(): Promise<void> {
    return this.#inner.drained()
  }

  partial(usage: Promise<AttemptResult['usage']>): void {
    this.#inner.partial?.(usage)
  }

  end(res: AttemptResult): void {
    if (this.#split !== undefined) {
      this.#split.end()
      for (const s of this.#tr!.finish()) this.#out += s
      if (this.#out !== '') this.#inner.chunk(this.#out)
      this.#out = ''
      return this.#endInner(res)
    }
    const parts = this.#json ?? []
    let msg: unknown
    try {
      msg = JSON.parse(decoder.decode(parts.length === 1 ? parts[0] : Buffer.concat(parts)))
    } catch {
      msg = undefined
    }
    if (!isObject(msg)) throw new GatewayError('upstream_error', 'the upstream answer could not be translated to a chat completion', { retryClass: 'status', upstreamStatus: 200 })
    this.#inner.chunk(JSON.stringify({ ...anthropicToOpenAIResponse(msg), usage: res.usage }))
    this.#endInner(res)
  }

  #endInner(res: AttemptResult): void {
    ;(this.#inner as Partial<TranslatingSink>).end?.(res)
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
