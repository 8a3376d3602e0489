/**
 * The relay of upstreams that answer in plain text pieces rather than OpenAI bytes (SPEC §4 streaming and §7 usage for
 * `type: grpc` and `type: graphql`): formats each piece for the client, waits on a slow client (the upstream
 * iterator is not pulled meanwhile, so gRPC flow control holds the server), cancels the upstream on client
 * disconnect and on a gap longer than the attempt timeout, and counts usage when the upstream reports none.
 */
import { GatewayError } from '../core/errors.js'
import type { Usage } from '../core/types.js'
import type { MappedAnswer } from '../wire/field-map.js'
import { promptText } from '../wire/openai.js'
import { createTextAnswer, parseFinishReason, type TextAnswer } from '../wire/text-answer.js'
import { countUsage } from './tokens.js'
import type { AttemptResult, AttemptSink, UpstreamCall } from './types.js'
import { AttemptTimeout, mapTransportError } from './upstream-errors.js'

// Text kept for counting tokens when the upstream reports no usage; beyond this the count is an estimate.
const MAX_COUNTED_TEXT = 1024 * 1024

let seq = 0

/** The formatter for this call's answer, or an invalid_request for an endpoint a text upstream cannot serve. */
export function answerFormat(provider: string, req: UpstreamCall): TextAnswer {
  const ep: string = req.endpoint
  // chat and messages (translated to chat before the call) are answered as chat; completions as text_completion
  if (ep !== 'chat' && ep !== 'messages' && ep !== 'completions') throw new GatewayError('invalid_request', `provider ${provider}: ${ep} is not served by this upstream type (chat and completions only)`)
  const endpoint = ep === 'completions' ? 'completions' : 'chat'
  return createTextAnswer({
    endpoint,
    clientFormat: req.clientFormat,
    model: typeof req.body.model === 'string' ? req.body.model : '',
    includeUsage: req.clientWantsUsage,
    id: `${endpoint === 'chat' ? 'chatcmpl' : 'cmpl'}-llmgw${(++seq).toString(36)}${Date.now().toString(36)}`,
  })
}

/** The error a call ends with when the client left (or the request timed out): the signal's own reason when it has one. */
export function abortedError(provider: string, req: UpstreamCall): GatewayError {
  return req.signal.reason instanceof GatewayError ? req.signal.reason : new GatewayError('upstream_error', `provider ${provider}: request aborted by the client`)
}

const usageOr = (u: Usage | undefined, req: UpstreamCall, text: string): Promise<Usage> => (u ? Promise.resolve(u) : countUsage(promptText(req.body), text))

/** A non-streaming answer (or a stream: true call served by a unary upstream method, sent as one short stream). */
export async function relayWhole(req: UpstreamCall, sink: AttemptSink, fmt: TextAnswer, a: MappedAnswer, model: string | undefined): Promise<AttemptResult> {
  const usage = await usageOr(a.usage, req, a.text)
  const finish = parseFinishReason(a.finish)
  const firstByteAt = performance.now()
  if (req.stream) {
    sink.begin('text/event-stream')
    for (const s of [...fmt.delta(a.text), ...fmt.end(finish, usage)]) if (!sink.chunk(s)) await sink.drained()
  } else {
    sink.begin('application/json')
    sink.chunk(fmt.whole(a.text, finish, usage))
  }
  return { usage, model, firstByteAt }
}

export interface StreamSource {
  readonly messages: AsyncIterable<MappedAnswer>
  /** Stop the upstream call (gRPC call.cancel(), subscription complete). */
  cancel(): void
}

/**
 * Relays a stream of pieces. Before the first piece nothing is sent, so an upstream failure is still retryable; after
 * it a failure ends the stream in-band (compile/ writes the error event). `mapError` turns what the iterator throws
 * into a SPEC error; it is called after the abort and idle checks.
 */
export async function relayStream(
  provider: string,
  req: UpstreamCall,
  sink: AttemptSink,
  fmt: TextAnswer,
  src: StreamSource,
  mapError: (e: unknown) => GatewayError,
): Promise<AttemptResult> {
  let text = ''
  let usage: Usage | undefined
  let finish: unknown
  let firstByteAt: number | undefined
  let idle = false
  const gapMs = req.timeoutMs > 0 ? req.timeoutMs : 0
  let timer: NodeJS.Timeout | undefined
  const arm = (): void => {
    if (gapMs === 0) return
    clearTimeout(timer)
    timer = setTimeout(() => {
      idle = true
      src.cancel()
    }, gapMs)
  }
  const onAbort = (): void => src.cancel()
  req.signal.addEventListener('abort', onAbort, { once: true })
  arm()
  try {
    for await (const a of src.messages) {
      if (req.signal.aborted) break
      arm()
      if (a.usage) usage = a.usage
      // the last reason wins: TGIS says NOT_FINISHED on every message before the final one
      if (a.finish !== undefined && a.finish !== null && a.finish !== '') finish = a.finish
      if (a.text === '') continue
      // the response starts with the first text (TGIS's first message carries only the prompt's token count): a
      // failure before it is still retryable, and the time to first token is the first token's
      if (firstByteAt === undefined) {
        firstByteAt = performance.now()
        sink.begin('text/event-stream')
      }
      if (text.length < MAX_COUNTED_TEXT) text += a.text
      for (const s of fmt.delta(a.text)) {
        if (sink.chunk(s)) continue
        // a slow client is not a stalled upstream: the gap timer waits while the client drains
        clearTimeout(timer)
        await sink.drained()
        arm()
      }
    }
    if (req.signal.aborted) throw abortedError(provider, req)
    if (idle) throw mapTransportError(provider, new AttemptTimeout('gap between stream messages over the attempt timeout'))
  } catch (e) {
    const err = req.signal.aborted ? abortedError(provider, req) : idle ? mapTransportError(provider, new AttemptTimeout('stream gap')) : mapError(e)
    if (firstByteAt !== undefined) sink.partial?.(usageOr(usage, req, text))
    throw err
  } finally {
    clearTimeout(timer)
    req.signal.removeEventListener('abort', onAbort)
  }
  if (firstByteAt === undefined) {
    firstByteAt = performance.now()
    sink.begin('text/event-stream')
  }
  const counted = await usageOr(usage, req, text)
  for (const s of fmt.end(parseFinishReason(finish), counted)) if (!sink.chunk(s)) await sink.drained()
  return { usage: counted, model: typeof req.body.model === 'string' ? req.body.model : undefined, firstByteAt }
}
