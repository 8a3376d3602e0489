/** `type: anthropic` (SPEC §3 providers): the Messages API, translated to/from OpenAI; relayed as-is to /v1/messages clients. */
import { GatewayError } from '../core/errors.js'
import { ANTHROPIC_VERSION } from '../wire/anthropic.js'
import { anthropicToOpenAIResponse, anthropicUsage, openAIToAnthropicRequest, untranslatable } from '../wire/anthropic-openai.js'
import { createAnthropicToOpenAIStream } from '../wire/anthropic-openai-stream.js'
import { isObject, promptText } from '../wire/openai.js'
import { stringifyRequest } from '../wire/request.js'
import { createSseSplitter } from '../wire/sse.js'
import type { ProviderConfig } from './config.js'
import { type BodyReader, createHttpTransport, jsonBodyReader, MAX_JSON_BYTES } from './http.js'
import { countUsage } from './tokens.js'
import type { AttemptResult, AttemptSink, ProviderClient, UpstreamCall } from './types.js'
import { nativeJsonReader } from './native-relay.js'
import { ReadBatch } from './read-batch.js'
import { badUpstream, createScrubber, parseSseObject, sseEventTooLarge } from './upstream-errors.js'

const MAX_COUNTED_TEXT = 1024 * 1024
type Obj = Record<string, unknown>

export function createAnthropicClient(cfg: ProviderConfig): ProviderClient {
  const name = cfg.name
  const prefix = new URL(cfg.baseUrl).pathname.replace(/\/+$/, '')
  const path = prefix.endsWith('/v1') ? `${prefix}/messages` : `${prefix}/v1/messages`
  const countPath = `${path}/count_tokens`
  const scrub = createScrubber([cfg.apiKey?.reveal() ?? '', ...Object.values(cfg.headers)])
  const http = createHttpTransport(name, cfg.baseUrl, cfg.connections, scrub)
  const statics = Object.fromEntries(Object.entries(cfg.headers).map(([k, v]) => [k.toLowerCase(), v]))
  const key = cfg.apiKey && !cfg.apiKey.isEmpty ? cfg.apiKey.reveal() : undefined
  const fixed: Record<string, string> = { 'content-type': 'application/json', 'anthropic-version': ANTHROPIC_VERSION, ...(key ? { 'x-api-key': key } : {}) }
  const baseHeaders = { ...statics, ...fixed }

  return {
    name,
    type: cfg.type,
    speaks: (ep) => ep === 'count_tokens',
    call(req: UpstreamCall, sink: AttemptSink): Promise<AttemptResult> {
      if (req.endpoint === 'count_tokens') return countTokens(req, sink)
      if (req.endpoint !== 'chat' && req.endpoint !== 'messages') {
        return Promise.reject(new GatewayError('invalid_request', `provider ${name} (anthropic) serves chat only, not ${req.endpoint}`, { retryClass: 'status', upstreamStatus: 400 }))
      }
      const n = req.body.n
      if (typeof n === 'number' && n > 1) {
        // Anthropic has no `n`: answering one choice where the client asked for several would be a silent difference.
        return Promise.reject(new GatewayError('invalid_request', `n > 1 is not supported by provider ${name} (anthropic)`, { param: 'n', retryClass: 'status', upstreamStatus: 400 }))
      }
      const part = untranslatable(req.body)
      if (part !== undefined)
        return Promise.reject(new GatewayError('invalid_request', `provider ${name} (anthropic) takes text and image content parts and function tools only; '${part}' is neither`, { param: part, retryClass: 'status', upstreamStatus: 400 }))
      const body = openAIToAnthropicRequest(req.body)
      body.stream = req.stream
      return http.send(
        {
          method: 'POST',
          path,
          headers: req.headers ? { ...statics, ...req.headers, ...fixed } : baseHeaders,
          body: stringifyRequest(body),
          signal: req.signal,
          timeoutMs: req.timeoutMs > 0 ? req.timeoutMs : cfg.timeoutMs,
          streamBudgetMs: req.streamBudgetMs,
          stream: req.stream,
        },
        () => (req.stream ? streamReader(name, req, sink) : jsonReader(name, req, sink)),
      )
    },
    close: () => http.close(),
  }

  /** The client's count_tokens body, relayed as it came (with the target's model); the answer relayed as received. */
  function countTokens(req: UpstreamCall, sink: AttemptSink): Promise<AttemptResult> {
    return http.send(
      {
        method: 'POST',
        path: countPath,
        headers: req.headers ? { ...statics, ...req.headers, ...fixed } : baseHeaders,
        body: stringifyRequest(req.body),
        signal: req.signal,
        timeoutMs: req.timeoutMs > 0 ? req.timeoutMs : cfg.timeoutMs,
        stream: false,
        streamBudgetMs: undefined,
      },
      () => nativeJsonReader(name, req, sink),
    )
  }
}

function jsonReader(name: string, req: UpstreamCall, sink: AttemptSink): BodyReader<AttemptResult> {
  return jsonBodyReader(name, MAX_JSON_BYTES, async (obj, raw, firstByteAt) => {
    if (obj.type !== 'message') throw badUpstream(name, 'upstream answer is not an Anthropic message')
    const translated = anthropicToOpenAIResponse(obj)
    const usage = anthropicUsage(obj.usage) ?? (await countUsage(promptText(req.body), translated.choices[0]?.message.content ?? ''))
    sink.begin('application/json')
    sink.chunk(req.clientFormat === 'anthropic' ? raw : JSON.stringify({ ...translated, usage }))
    return { usage, model: typeof obj.model === 'string' ? obj.model : undefined, firstByteAt }
  })
}

// HOT PATH (per SSE event): Anthropic clients get the bytes as received; OpenAI clients get translated chunks.
function streamReader(name: string, req: UpstreamCall, sink: AttemptSink): BodyReader<AttemptResult> {
  sink.begin('text/event-stream')
  const passthrough = req.clientFormat === 'anthropic'
  const tr = createAnthropicToOpenAIStream(req.clientWantsUsage)
  let firstByteAt: number | undefined
  // passthrough tracking (the translator tracks the same for OpenAI clients)
  let model: string | undefined
  let usage: AttemptResult['usage']
  let text = ''
  let complete = false
  const batch = new ReadBatch((out) => sink.chunk(out)) // one client write per upstream read (read-batch.ts)
  const emit = (s: string | Uint8Array): void => batch.push(s)
  const flush = batch.flush
  const track = (e: Obj): void => {
    if (e.type === 'message_start' && isObject(e.message)) {
      model = typeof e.message.model === 'string' ? e.message.model : model
      usage = anthropicUsage(e.message.usage) ?? usage
    } else if (e.type === 'content_block_delta' && isObject(e.delta) && typeof e.delta.text === 'string') {
      if (text.length < MAX_COUNTED_TEXT) text += e.delta.text
    } else if (e.type === 'message_delta' && isObject(e.usage)) {
      const out = typeof e.usage.output_tokens === 'number' ? e.usage.output_tokens : 0
      const prompt = usage?.prompt_tokens ?? 0
      usage = { prompt_tokens: prompt, completion_tokens: out, total_tokens: prompt + out }
    } else if (e.type === 'message_stop') complete = true
    else if (e.type === 'error') tr.push(e) // throws the mapped GatewayError
  }
  const split = createSseSplitter((e) => {
    const obj = parseSseObject(name, e.data)
    if (passthrough) {
      track(obj)
      emit(e.raw)
    } else for (const s of tr.push(obj)) emit(s)
  }, { tooLarge: (limit) => sseEventTooLarge(name, limit) })
  return {
    data(c) {
      firstByteAt ??= performance.now()
      return batch.read(split, c)
    },
    drained: () => sink.drained(),
    async end() {
      split.end()
      flush()
      if (!(passthrough ? complete : tr.complete)) throw badUpstream(name, 'upstream stream ended before message_stop')
      const reported = passthrough ? usage : tr.usage
      const result: AttemptResult = {
        usage: reported && reported.completion_tokens > 0 ? reported : await countUsage(promptText(req.body), passthrough ? text : tr.text),
        model: passthrough ? model : tr.model,
        firstByteAt,
      }
      if (!passthrough) for (const s of tr.finish()) emit(s)
      flush()
      return result
    },
    abandon() {
      flush()
      if (sink.partial === undefined) return
      // Anthropic reports output tokens at the end: until then, the relayed text counted is the better figure
      const reported = passthrough ? usage : tr.usage
      sink.partial(countUsage(promptText(req.body), passthrough ? text : tr.text).then((c) => {
        if (reported === undefined) return c
        const prompt = reported.prompt_tokens > 0 ? reported.prompt_tokens : c.prompt_tokens
        const completion = Math.max(reported.completion_tokens, c.completion_tokens)
        return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion }
      }))
    },
  }
}
