/**
 * Readers for the APIs some upstreams speak natively (issue 11): the Responses API (openai, azure-openai) and
 * Anthropic's count_tokens. The bytes are relayed as received; only what accounting needs is read (model, usage).
 */
import type { Usage } from '../core/types.js'
import { isObject, promptText } from '../wire/openai.js'
import { createSseSplitter } from '../wire/sse.js'
import { type BodyReader, jsonBodyReader, MAX_JSON_BYTES } from './http.js'
import { ReadBatch } from './read-batch.js'
import { countUsage } from './tokens.js'
import type { AttemptResult, AttemptSink, UpstreamCall } from './types.js'
import { badUpstream, parseSseObject, sseEventTooLarge } from './upstream-errors.js'

const MAX_COUNTED_TEXT = 1024 * 1024

/** A Responses `usage` ({input_tokens, output_tokens}) in the gateway's OpenAI names; undefined when absent or malformed. */
export function parseResponsesUsage(u: unknown): Usage | undefined {
  if (!isObject(u)) return undefined
  const p = u.input_tokens
  const c = u.output_tokens
  if (typeof p !== 'number' || typeof c !== 'number' || !(p >= 0) || !(c >= 0)) return undefined
  return { prompt_tokens: p, completion_tokens: c, total_tokens: p + c }
}

/** The text a Responses object carries in its output messages (for counting when no usage came). */
function outputText(resp: Record<string, unknown>): string {
  let s = ''
  const out = resp.output
  if (!Array.isArray(out)) return s
  for (const item of out) {
    if (!isObject(item)) continue
    if (Array.isArray(item.content)) for (const c of item.content) if (isObject(c) && typeof c.text === 'string') s += c.text
    if (typeof item.arguments === 'string') s += item.arguments
  }
  return s
}

/** A whole Responses object (or a count_tokens answer: no usage, nothing to count). */
export function nativeJsonReader(name: string, req: UpstreamCall, sink: AttemptSink): BodyReader<AttemptResult> {
  return jsonBodyReader(name, MAX_JSON_BYTES, async (obj, raw, firstByteAt) => {
    if (req.endpoint === 'count_tokens') {
      if (typeof obj.input_tokens !== 'number') throw badUpstream(name, 'upstream count_tokens answer has no input_tokens')
    } else if (obj.object !== 'response') throw badUpstream(name, 'upstream answer is not a Responses object')
    const usage = req.endpoint === 'count_tokens' ? undefined : (parseResponsesUsage(obj.usage) ?? (await countUsage(promptText(req.body), outputText(obj))))
    sink.begin('application/json')
    sink.chunk(raw)
    return { usage, model: typeof obj.model === 'string' ? obj.model : undefined, firstByteAt }
  })
}

/** The event types after which a Responses stream is over (the stream has no [DONE]). */
const TERMINAL = new Set(['response.completed', 'response.incomplete', 'response.failed', 'error'])

/** A Responses event stream, relayed event by event; usage from response.completed, else the deltas counted. */
export function nativeStreamReader(name: string, req: UpstreamCall, sink: AttemptSink): BodyReader<AttemptResult> {
  sink.begin('text/event-stream')
  let firstByteAt: number | undefined
  let model: string | undefined
  let usage: Usage | undefined
  let text = ''
  let complete = false
  const batch = new ReadBatch((out) => sink.chunk(out))
  const split = createSseSplitter((e) => {
    const obj = parseSseObject(name, e.data)
    const type = obj.type
    if (typeof type === 'string') {
      if (type === 'response.output_text.delta' || type === 'response.function_call_arguments.delta') {
        if (typeof obj.delta === 'string' && text.length < MAX_COUNTED_TEXT) text += obj.delta
      } else if (isObject(obj.response)) {
        if (typeof obj.response.model === 'string') model ??= obj.response.model
        usage = parseResponsesUsage(obj.response.usage) ?? usage
      }
      if (TERMINAL.has(type)) complete = true
    }
    batch.push(e.raw)
  }, { tooLarge: (limit) => sseEventTooLarge(name, limit) })
  const counted = (): Promise<Usage> => countUsage(promptText(req.body), text)
  return {
    data(c) {
      firstByteAt ??= performance.now()
      return batch.read(split, c)
    },
    drained: () => sink.drained(),
    async end() {
      split.end()
      batch.flush()
      if (!complete) throw badUpstream(name, 'upstream stream ended before it was complete (no response.completed)')
      return { usage: usage ?? (await counted()), model, firstByteAt }
    },
    abandon() {
      batch.flush()
      sink.partial?.(usage !== undefined ? Promise.resolve(usage) : counted())
    },
  }
}
