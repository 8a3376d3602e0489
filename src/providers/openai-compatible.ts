/**
 * The OpenAI-wire relay shared by `openai` and `azure-openai` (SPEC §3 providers, §4 streaming, §7 usage): they differ
 * only in URL and auth header. Streams relay each SSE event's bytes as they arrive; nothing is re-serialised.
 */
import { GatewayError } from '../core/errors.js'
import type { Endpoint } from '../core/types.js'
import { openAIToAnthropicResponse } from '../wire/anthropic-openai.js'
import { createOpenAIToAnthropicStream } from '../wire/anthropic-openai-stream.js'
import { chunkText, DONE_DATA, isObject, looksLikeJsonObject, parseUsage, promptText, responseModel, responseText, sniffModel, sniffValueStart, SSE_DONE, streamBodyWithUsage, usageOnlyChunk } from '../wire/openai.js'
import { stringifyRequest } from '../wire/request.js'
import { createSseSplitter } from '../wire/sse.js'
import { plainRunEnd } from '../wire/sse-plain.js'
import type { ProviderConfig } from './config.js'
import { type BodyReader, createHttpTransport, jsonBodyReader, MAX_JSON_BYTES } from './http.js'
import { countUsage } from './tokens.js'
import type { AttemptResult, AttemptSink, ProviderClient, UpstreamCall } from './types.js'
import { nativeJsonReader, nativeStreamReader } from './native-relay.js'
import { ReadBatch } from './read-batch.js'
import { badUpstream, createScrubber, sseEventTooLarge } from './upstream-errors.js'

/** The upstream endpoints an OpenAI-wire server has (/v1/messages goes to chat completions). */
export type OpenAIEndpoint = Exclude<Endpoint, 'messages' | 'count_tokens'>

// A non-streamed answer is buffered whole (it must be validated before the client sees a byte): bounded here.
// Relayed text kept for counting tokens when no usage arrives; beyond this the count is an estimate.
const MAX_COUNTED_TEXT = 1024 * 1024

const lower = (h: Readonly<Record<string, string>>): Record<string, string> =>
  Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]))

/** path(endpoint, model): the upstream path with query; auth: the auth header(s), fixed at create time. */
export function createOpenAICompatibleClient(
  cfg: ProviderConfig,
  path: (endpoint: OpenAIEndpoint, model: string) => string,
  auth: Readonly<Record<string, string>>,
  /** The upstream has POST /responses (compile/ then relays the Responses API natively instead of translating). */
  speaksResponses = false,
): ProviderClient {
  const name = cfg.name
  const scrub = createScrubber([cfg.apiKey?.reveal() ?? '', ...Object.values(cfg.headers)])
  const http = createHttpTransport(name, cfg.baseUrl, cfg.connections, scrub)
  const statics = lower(cfg.headers)
  const fixed = { 'content-type': 'application/json', ...auth }
  const baseHeaders = { ...statics, ...fixed }

  return {
    name,
    type: cfg.type,
    speaks: (ep) => ep === 'responses' && speaksResponses,
    call(req: UpstreamCall, sink: AttemptSink): Promise<AttemptResult> {
      if (req.endpoint === 'count_tokens') return Promise.reject(notServed(name, req.endpoint))
      const endpoint: OpenAIEndpoint = req.endpoint === 'messages' ? 'chat' : req.endpoint
      const native = endpoint === 'responses'
      if (native && !speaksResponses) return Promise.reject(notServed(name, endpoint))
      // Always ask for usage (SPEC §7): a stream is never accounted at zero; the extra chunk is dropped below if
      // unwanted. The translator already built the attempt's body with it (translate/pass-through.ts): no copy here then.
      const body = req.stream && endpoint !== 'embeddings' && !native ? withStreamUsage(req.body) : req.body
      const headers = req.headers ? { ...statics, ...req.headers, ...fixed } : baseHeaders
      return http.send(
        {
          method: 'POST',
          path: path(endpoint, typeof body.model === 'string' ? body.model : ''),
          headers,
          body: stringifyRequest(body),
          signal: req.signal,
          timeoutMs: req.timeoutMs > 0 ? req.timeoutMs : cfg.timeoutMs,
          stream: req.stream,
          streamBudgetMs: req.streamBudgetMs,
        },
        native
          ? () => (req.stream ? nativeStreamReader(name, req, sink) : nativeJsonReader(name, req, sink))
          : () => (req.stream ? streamReader(name, req, sink, scrub) : jsonReader(name, req, endpoint, sink, scrub)),
      )
    },
    close: () => http.close(),
  }
}

const notServed = (name: string, ep: Endpoint): GatewayError =>
  new GatewayError('invalid_request', `provider ${name} does not serve ${ep}`, { retryClass: 'status', upstreamStatus: 400 })

/** A streamed chat body that asks for usage: itself when it already does, else a copy that does (never mutated). */
export const withStreamUsage = (body: Record<string, unknown>): Record<string, unknown> => streamBodyWithUsage(body)

function upstreamErrorInBody(name: string, obj: Record<string, unknown>, scrub: (s: string) => string): GatewayError {
  const e = obj.error
  const msg = isObject(e) && typeof e.message === 'string' ? e.message : typeof e === 'string' ? e : 'error'
  return new GatewayError('upstream_error', `provider ${name}: upstream error: ${scrub(msg).slice(0, 300)}`, { retryClass: 'status', upstreamStatus: 200 })
}

function jsonReader(name: string, req: UpstreamCall, endpoint: OpenAIEndpoint, sink: AttemptSink, scrub: (s: string) => string): BodyReader<AttemptResult> {
  return jsonBodyReader(name, MAX_JSON_BYTES, async (obj, raw, firstByteAt) => {
    if (obj.error !== undefined && obj.error !== null) throw upstreamErrorInBody(name, obj, scrub)
    let usage = parseUsage(obj)
    usage ??= await countUsage(promptText(req.body), endpoint === 'embeddings' ? '' : responseText(obj))
    let out: string | Uint8Array = raw // relayed as received
    if (req.clientFormat === 'anthropic') out = JSON.stringify(openAIToAnthropicResponse({ ...obj, usage }))
    sink.begin('application/json')
    sink.chunk(out)
    return { usage, model: responseModel(obj), firstByteAt }
  })
}

const LBRACE = 123
const QUOTE = 34
const CR = 13
const LFLF = '\n\n'

/** The data of each event in a chunk of whole events. */
function eventData(chunk: Buffer): string[] {
  const out: string[] = []
  const split = createSseSplitter((e) => out.push(e.data))
  split.push(chunk)
  split.end()
  return out
}

/**
 * HOT PATH (per SSE event): the bytes go out as received. Only the events that matter are parsed: the first (model),
 * usage and error events (found by sniffing, not parsing), and every event when translating for an Anthropic client.
 * Other events get a cheap shape check (broken SSE) and their data is kept, unparsed, in case no usage arrives and the
 * text must be counted (SPEC §7).
 */
function streamReader(name: string, req: UpstreamCall, sink: AttemptSink, scrub: (s: string) => string): BodyReader<AttemptResult> {
  sink.begin('text/event-stream')
  const tr = req.clientFormat === 'anthropic' ? createOpenAIToAnthropicStream() : undefined
  let firstByteAt: number | undefined
  let model: string | undefined
  let usage: AttemptResult['usage']
  let text = '' // from parsed events
  // data of unparsed events, or relayed runs of plain events (views), parsed only if the text must be counted
  const deferred: Array<string | Buffer> = []
  let kept = 0
  let done = false
  let finished = false
  // after [DONE] nothing more is relayed: bytes flushed from end() (the response's end follows at once) may go out
  // with the end of the response, in one write; flushed from a read, they go out now
  let ending = false
  const batch = new ReadBatch((out) => (ending && done && sink.last !== undefined ? sink.last(out) : sink.chunk(out)))
  const emit = (s: string | Uint8Array): void => batch.push(s)
  const flush = batch.flush
  const parse = (d: string): Record<string, unknown> => {
    let obj: unknown
    try {
      obj = JSON.parse(d)
    } catch {
      throw badUpstream(name, 'broken SSE from upstream (an event is not JSON)')
    }
    if (!isObject(obj)) throw badUpstream(name, 'broken SSE from upstream (an event is not an object)')
    return obj
  }
  /**
   * HOT PATH: a read at an event boundary. Runs of plain content events (wire/sse-plain.ts) go out as received,
   * nothing decoded; the first event (model), usage, finish, error and [DONE] events take the event path. Relayed
   * runs are kept as views for counting if no usage arrives: undici hands out views of per-read socket buffers,
   * which are not reused, and the client write is done from the same bytes.
   */
  const relayRuns = (c: Buffer): void => {
    let at = 0
    if (model === undefined) {
      at = c.indexOf(LFLF)
      if (at < 0 || c.indexOf(CR) !== -1) return split.push(c)
      at += 2
      split.push(c.subarray(0, at))
      // still no model (the first block was a comment, or events name none): this read takes the event path
      if (model === undefined || done || !split.isIdle) return split.push(c.subarray(at))
    }
    const end = plainRunEnd(c, at)
    if (end > at) {
      const run = c.subarray(at, end)
      emit(run)
      if (kept < MAX_COUNTED_TEXT) {
        deferred.push(run)
        kept += run.length
      }
    }
    if (end < c.length) split.push(c.subarray(end))
  }
  const split = createSseSplitter((e) => {
    if (done) return
    const d = e.data
    if (d === DONE_DATA) {
      done = true
      if (!tr) emit(e.raw)
      return
    }
    const hasUsage = sniffValueStart(d, 'usage') === LBRACE
    const hasError = d.includes('"error"')
    // the usage-only chunk that ends a stream: its usage read without parsing the rest (choices are empty)
    const quick = hasUsage && !hasError && !tr && model !== undefined ? usageOnlyChunk(d) : undefined
    if (quick !== undefined) {
      usage = quick
      if (req.clientWantsUsage) emit(e.raw) // asked by us, not by the client: then it never sees it
      return
    }
    // the first event names the model: read it without a parse when the event needs nothing else
    if (model === undefined && !tr && !hasUsage && !hasError) model = sniffModel(d)
    if (tr || model === undefined || hasUsage || hasError) {
      const obj = parse(d)
      if (obj.error !== undefined && obj.error !== null) throw upstreamErrorInBody(name, obj, scrub)
      model ??= responseModel(obj)
      const choices = obj.choices
      const u = parseUsage(obj)
      if (u) {
        usage = u
        // the usage-only chunk we asked for ourselves: the client did not, so it never sees it
        if (!tr && !req.clientWantsUsage && Array.isArray(choices) && choices.length === 0) return
      }
      if (Array.isArray(choices) && isObject(choices[0]) && typeof choices[0].finish_reason === 'string') finished = true
      if (kept < MAX_COUNTED_TEXT) text += chunkText(obj)
      if (tr) for (const s of tr.push(obj)) emit(s)
      else emit(e.raw)
      return
    }
    if (!looksLikeJsonObject(d)) throw badUpstream(name, 'broken SSE from upstream (an event is not JSON)')
    if (!finished && sniffValueStart(d, 'finish_reason') === QUOTE) finished = true
    if (kept < MAX_COUNTED_TEXT) {
      deferred.push(d)
      kept += d.length
    }
    emit(e.raw)
  }, { tooLarge: (limit) => sseEventTooLarge(name, limit) })
  /** No usage from the upstream: count the prompt and the text relayed (deferred events are decoded only now). */
  const countRelayed = async (): Promise<AttemptResult['usage']> => {
    for (const d of deferred) {
      if (typeof d === 'string') text += chunkText(parse(d))
      else for (const e of eventData(d)) text += chunkText(parse(e))
    }
    deferred.length = 0
    return countUsage(promptText(req.body), text)
  }
  return {
    data(c) {
      firstByteAt ??= performance.now()
      try {
        if (tr || done || !split.isIdle) split.push(c)
        else relayRuns(c)
      } catch (e) {
        flush() // what was relayed before a broken event still reaches the client, ahead of the error event
        throw e
      }
      batch.flushSoon()
      return batch.takeOk()
    },
    drained: () => sink.drained(),
    async end() {
      ending = true
      split.end()
      flush()
      if (!done && !finished) throw badUpstream(name, 'upstream stream ended before it was complete (no [DONE])')
      usage ??= await countRelayed()
      if (tr) for (const s of tr.finish(usage)) emit(s)
      else if (!done) emit(SSE_DONE) // finished but the server omitted [DONE]: clients still need it to stop reading
      flush()
      return { usage, model, firstByteAt }
    },
    abandon() {
      flush() // bytes of the last read go out before anything the failure adds
      if (sink.partial === undefined) return
      // what the client got is paid for: the upstream's usage if it came, else the relayed text counted (an event
      // that does not decode is counted as raw text rather than dropped)
      sink.partial(usage !== undefined ? Promise.resolve(usage) : countRelayed().catch(() => countUsage(promptText(req.body), text + deferred.join(''))))
    },
  }
}
