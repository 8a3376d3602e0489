/**
 * Responses API client -> chat-only backend (issue 11: OpenAI-compatible servers without /responses, and Anthropic,
 * whose adapter takes the chat seam): the request goes as its canonical chat body (wire/responses.ts translated it at
 * parse), the answer comes back as chat JSON/SSE and is rewritten into a Responses object / Responses event stream.
 */
import { GatewayError } from '../core/errors.js'
import { DONE_DATA, isObject } from '../wire/openai.js'
import { chatToResponsesResponse, createChatToResponsesStream, responsesUntranslatable, untranslatableError } from '../wire/responses.js'
import { plainContentDelta } from '../wire/responses-stream.js'
import type { SseEvent } from '../wire/sse.js'
import type { AttemptSink } from '../providers/types.js'
import { withModel } from './pass-through.js'
import { RewritingSink } from './rewriting-sink.js'
import type { AttemptRequest, TranslateInput, Translator } from './types.js'

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

/** Chat answer bytes in, Responses bytes out. */
class ResponsesFromChat extends RewritingSink {
  protected readonly target = 'a Responses object'
  readonly #req: Record<string, unknown>
  readonly #tr: ReturnType<typeof createChatToResponsesStream> | undefined
  #closed = false

  constructor(inner: AttemptSink, p: TranslateInput) {
    super(inner, p.stream)
    this.#req = (p.native ?? p.body) as Record<string, unknown>
    if (p.stream) this.#tr = createChatToResponsesStream(this.#req)
  }

  // HOT PATH (per chat chunk): chunks that only add text skip the parse (wire/responses-stream.ts plainContentDelta)
  protected onEvent(e: SseEvent): void {
    if (e.data === DONE_DATA) return this.closeStream()
    const quoted = plainContentDelta(e.data)
    const fast = quoted === undefined ? undefined : this.#tr!.pushText(quoted)
    if (fast !== undefined) {
      for (const s of fast) this.emit(s)
      return
    }
    const obj: unknown = JSON.parse(e.data)
    if (isObject(obj)) for (const s of this.#tr!.push(obj)) this.emit(s)
  }

  protected closeStream(): void {
    if (this.#closed) return
    this.#closed = true
    for (const s of this.#tr!.finish()) this.emit(s)
  }

  protected rewrite(chat: Record<string, unknown>): string {
    return JSON.stringify(chatToResponsesResponse(chat, this.#req))
  }
}

export const RESPONSES_TO_CHAT: Translator = {
  name: 'responses->chat',
  request,
  wrap: (sink, p) => new ResponsesFromChat(sink, p),
}
