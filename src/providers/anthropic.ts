/** `type: anthropic` (SPEC §3 providers): the Messages API; the request built from the canonical chat body, the answer relayed as received (translate/anthropic-chat.ts turns it into chat for OpenAI clients). */
import { GatewayError } from '../core/errors.js'
import { ANTHROPIC_VERSION } from '../wire/anthropic.js'
import { anthropicUsage, jsonOutputTool, openAIToAnthropicRequest, untranslatable } from '../wire/anthropic-openai.js'
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
      const format = req.body.response_format
      if (jsonOutputTool(format) === 'unsupported')
        // JSON output goes to Anthropic as a forced tool (wire/anthropic-openai.ts); what that cannot carry is refused, not answered as free text
        return Promise.reject(new GatewayError('invalid_request', `response_format '${isObject(format) ? String(format.type) : 'unknown'}' (text.format on /v1/responses) is not supported by provider ${name} (anthropic): json_object and json_schema with an object at the root are`, { param: 'response_format', retryClass: 'status', upstreamStatus: 400 }))
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
    const usage = anthropicUsage(obj.usage) ?? (await countUsage(promptText(req.body), messageText(obj)))
    sink.begin('application/json')
    sink.chunk(raw)
    return { usage, model: typeof obj.model === 'string' ? obj.model : undefined, firstByteAt }
  })
}

/** The text and tool input an Anthropic message carries (counted when it came without usage). */
function messageText(msg: Obj): string {
  let s = ''
  if (Array.isArray(msg.content)) for (const b of msg.content) if (isObject(b)) s += typeof b.text === 'string' ? b.text : b.type === 'tool_use' ? JSON.stringify(b.input ?? {}) : ''
  return s
}

const errorMapper = createAnthropicToOpenAIStream(false)

/**
 * HOT PATH (per SSE event): the bytes are relayed as received (OpenAI clients get them through translate/
 * anthropic-chat.ts); only what accounting needs is read: model, usage, the relayed text, the end.
 */
function streamReader(name: string, req: UpstreamCall, sink: AttemptSink): BodyReader<AttemptResult> {
  sink.begin('text/event-stream')
  let firstByteAt: number | undefined
  let model: string | undefined
  let usage: AttemptResult['usage']
  let text = ''
  let complete = false
  const batch = new ReadBatch((out) => sink.chunk(out)) // one client write per upstream read (read-batch.ts)
  const flush = batch.flush
  const track = (e: Obj): void => {
    if (e.type === 'message_start' && isObject(e.message)) {
      model = typeof e.message.model === 'string' ? e.message.model : model
      usage = anthropicUsage(e.message.usage) ?? usage
    } else if (e.type === 'content_block_delta' && isObject(e.delta)) {
      const d = e.delta
      const t = typeof d.text === 'string' ? d.text : typeof d.partial_json === 'string' ? d.partial_json : ''
      if (text.length < MAX_COUNTED_TEXT) text += t
    } else if (e.type === 'message_delta' && isObject(e.usage)) {
      const out = typeof e.usage.output_tokens === 'number' ? e.usage.output_tokens : 0
      const prompt = typeof e.usage.input_tokens === 'number' ? e.usage.input_tokens : (usage?.prompt_tokens ?? 0)
      usage = { prompt_tokens: prompt, completion_tokens: out, total_tokens: prompt + out }
    } else if (e.type === 'message_stop') complete = true
    else if (e.type === 'error') errorMapper.push(e) // throws the mapped GatewayError
  }
  const split = createSseSplitter((e) => {
    track(parseSseObject(name, e.data))
    batch.push(e.raw)
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
      if (!complete) throw badUpstream(name, 'upstream stream ended before message_stop')
      return {
        usage: usage && usage.completion_tokens > 0 ? usage : await countUsage(promptText(req.body), text),
        model,
        firstByteAt,
      }
    },
    abandon() {
      flush()
      if (sink.partial === undefined) return
      // Anthropic reports output tokens at the end: until then, the relayed text counted is the better figure
      const reported = usage
      sink.partial(countUsage(promptText(req.body), text).then((c) => {
        if (reported === undefined) return c
        const prompt = reported.prompt_tokens > 0 ? reported.prompt_tokens : c.prompt_tokens
        const completion = Math.max(reported.completion_tokens, c.completion_tokens)
        return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion }
      }))
    },
  }
}
