/**
 * Responses API client -> chat-only backend (issue 11: OpenAI-compatible servers without /responses, and Anthropic,
 * whose adapter takes the chat seam): the request goes as its canonical chat body (wire/responses.ts translated it at
 * parse), the answer comes back as chat JSON/SSE and is rewritten into a Responses object / Responses event stream.
 */
import { asBuffer } from '../core/bytes.js'
import { GatewayError } from '../core/errors.js'
import { DONE_DATA, isObject } from '../wire/openai.js'
import { chatToResponsesResponse, createChatToResponsesStream, responsesUntranslatable, untranslatableError } from '../wire/responses.js'
import { createSseSplitter } from '../wire/sse.js'
import type { AttemptSink } from '../providers/types.js'
import { withModel } from './pass-through.js'
import type { AttemptRequest, TranslateInput, TranslatingSink, Translator } from './types.js'

const decoder = new TextDecoder()

/**
 * What a chat backend cannot honour is refused, never dropped (issue 11): it keeps no conversation state, so a
 * `previous_response_id` (or conversation, prompt, hosted tools...: wire/responses.ts names them) would lose context,
 * and `store: true` would promise a stored response nobody keeps.
 */
function refuseState(p: TranslateInput): void {
  const n = p.native
  if (n === undefined) return
  const part = responsesUntranslatable(n)
  if (part !== undefined) throw untranslatableError(part)
  if (n.store === true)
    throw new GatewayError('invalid_request', "'store: true' is not supported for this model: its upstream does not store responses; omit 'store' or set it to false", { param: 'store' })
}

function request(p: TranslateInput, model: string): AttemptRequest {
  refuseState(p)
  // a Responses stream always closes with usage (response.completed): the chat stream must carry its usage chunk
  return { endpoint: 'chat', body: withModel(p.body, model), clientFormat: 'openai', clientWantsUsage: p.stream }
}

/** Chat answer bytes in, Responses bytes out; one client write per upstream write (backpressure passes through). */
class ResponsesFromChat implements TranslatingSink {
  readonly #inner: AttemptSink
  readonly #req: Record<string, unknown>
  readonly #stream: ReturnType<typeof createChatToResponsesStream> | undefined
  readonly #split: ReturnType<typeof createSseSplitter> | undefined
  #out = ''
  #json: Uint8Array[] | undefined
  #ended = false

  constructor(inner: AttemptSink, p: TranslateInput) {
    this.#inner = inner
    this.#req = (p.native ?? p.body) as Record<string, unknown>
    if (!p.stream) return
    const tr = createChatToResponsesStream(this.#req)
    this.#stream = tr
    this.#split = createSseSplitter((e) => {
      if (e.data === DONE_DATA) return this.#finishStream()
      let obj: unknown
      try {
        obj = JSON.parse(e.data)
      } catch {
        return // the adapter validated every event it relayed: nothing else reaches here
      }
      if (isObject(obj)) for (const s of tr.push(obj)) this.#out += s
    })
  }

  #finishStream(): void {
    if (this.#ended) return
    this.#ended = true
    for (const s of this.#stream!.finish()) this.#out += s
  }

  begin(contentType: string): void {
    this.#inner.begin(contentType)
  }

  chunk(bytes: string | Uint8Array): boolean {
    if (this.#split === undefined) {
      ;(this.#json ??= []).push(asBuffer(bytes))
      return true
    }
    this.#split.push(asBuffer(bytes))
    return this.#flush()
  }

  last(bytes: string | Uint8Array): boolean {
    return this.chunk(bytes)
  }

  #flush(): boolean {
    if (this.#out === '') return true
    const s = this.#out
    this.#out = ''
    return this.#inner.chunk(s)
  }

  drained(): Promise<void> {
    return this.#inner.drained()
  }

  partial(usage: Parameters<NonNullable<AttemptSink['partial']>>[0]): void {
    this.#inner.partial?.(usage)
  }

  end(): void {
    if (this.#split !== undefined) {
      this.#split.end()
      this.#finishStream()
      this.#flush()
      return
    }
    const parts = this.#json ?? []
    let chat: unknown
    try {
      chat = JSON.parse(decoder.decode(parts.length === 1 ? parts[0] : Buffer.concat(parts)))
    } catch {
      chat = undefined
    }
    // the adapter checked the answer; a non-object here is a bug upstream of this sink, reported like a bad upstream
    if (!isObject(chat)) throw new GatewayError('upstream_error', 'the upstream answer could not be translated to a Responses object', { retryClass: 'status', upstreamStatus: 200 })
    this.#inner.chunk(JSON.stringify(chatToResponsesResponse(chat, this.#req)))
  }
}

export const RESPONSES_TO_CHAT: Translator = {
  name: 'responses->chat',
  request,
  wrap: (sink, p) => new ResponsesFromChat(sink, p),
}
