/**
 * Chat chunks -> the Responses API event stream (SPEC §4 POST /v1/responses, translated targets), in OpenAI's order:
 * response.created, response.in_progress, per output item output_item.added, its content/arguments deltas and dones,
 * output_item.done; then response.completed (or response.incomplete) carrying the whole response with usage. Every
 * event has a sequence_number from 0. One translator per response; it holds that stream's open items.
 */
import type { Usage } from '../core/types.js'
import type { StreamTranslator } from './anthropic-openai-stream.js'
import { isObject, parseUsage } from './openai.js'
import {
  functionCallItem,
  idSuffix,
  messageItem,
  reasoningItem,
  reasoningOf,
  responseEnvelope,
  responsesUsage,
  statusOf,
  textPart,
} from './responses-response.js'

type Obj = Record<string, unknown>
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined)

interface Item {
  readonly index: number
  readonly id: string
  /** refusal: a message item whose one part is a refusal (chat streams send it apart from the content) */
  readonly kind: 'message' | 'refusal' | 'function_call' | 'reasoning'
  /** text, arguments or reasoning summary so far */
  body: string
  callId: string
  name: string
  open: boolean
  /** `"item_id":…,"output_index":…` and the rest of every delta's fixed fields, JSON-escaped once */
  readonly deltaHead: string
}

/** The chat -> Responses translator, with a fast path for the commonest chunk (plainContentDelta below). */
export interface ChatToResponsesStream extends StreamTranslator<Obj> {
  /**
   * HOT PATH: a chunk that only adds answer text, given as its JSON string (quotes included, nothing escaped): the
   * same events push() makes of it, without parsing the chunk or quoting the text again. undefined: not applicable
   * yet (before the first chunk, after the end), push() the parsed chunk instead.
   */
  pushText(quoted: string): string[] | undefined
}

// A chunk of OpenAI-wire servers that adds answer text and nothing else, from the choices key to the end.
const TEXT_HEAD = '"choices":[{"index":0,"delta":{"content":"'
const TEXT_TAILS = ['"},"logprobs":null,"finish_reason":null}],"usage":null}', '"},"logprobs":null,"finish_reason":null}]}']
const ESCAPED = /[\\\x00-\x1f]/

/** data holds exactly `tail` from `at` to its end (compared in place: no slice per chunk). */
const endsWithAt = (data: string, at: number, tail: string): boolean => data.length - at === tail.length && data.startsWith(tail, at)

/**
 * The answer text of a chat chunk's data as its JSON string (quotes included) when the chunk has exactly the shape
 * servers send for text: one choice, index 0, a delta with only `content`, null logprobs and finish_reason, choices the
 * last key (then optionally `"usage":null`), and text with nothing escaped. Anything else: undefined (parse it).
 * JSON.parse would read the same (the last of repeated keys wins, and these are the last); the rest of the object
 * is trusted as the relay trusts plain events (providers/openai-compatible.ts).
 */
export function plainContentDelta(data: string): string | undefined {
  // the first occurrence: an earlier look-alike (a nested object) fails the tail check below, which only sends the
  // chunk to the parsed path
  const i = data.indexOf(TEXT_HEAD)
  if (i < 0) return undefined
  const from = i + TEXT_HEAD.length
  const j = data.indexOf('"', from) // the closing quote, unless the text escapes one (then the check below fails)
  if (j < 0 || !(endsWithAt(data, j, TEXT_TAILS[0]!) || endsWithAt(data, j, TEXT_TAILS[1]!))) return undefined
  const quoted = data.slice(from - 1, j + 1)
  return ESCAPED.test(quoted) ? undefined : quoted // an escape or a raw control character: the parsed path decides
}

/** `req`: the Responses request (its settings are echoed in the response objects). */
export function createChatToResponsesStream(req: Readonly<Obj>): ChatToResponsesStream {
  let seq = 0
  let out: string[] = []
  let env: Obj | undefined
  let suffix = ''
  let rawUsage: unknown
  let finish: unknown
  let finished = false
  let text = ''
  const items: Item[] = []
  const tools = new Map<number, Item>() // chat tool_calls index -> item
  let message: Item | undefined
  let reasoning: Item | undefined
  let refusal: Item | undefined

  // HOT PATH: `fields` is the event's own JSON object; the type and sequence number are spliced in front of it
  const emit = (type: string, fields: string): void => {
    out.push(`event: ${type}\ndata: {"type":"${type}","sequence_number":${seq++},${fields.slice(1)}\n\n`)
  }
  const whole = (status: string): Obj => ({ ...env, status })

  const start = (chunk: Obj): void => {
    suffix = idSuffix(chunk.id)
    env = responseEnvelope(req, `resp_${suffix}`, typeof chunk.created === 'number' ? chunk.created : Math.floor(Date.now() / 1000), str(chunk.model) ?? str(req.model) ?? '')
    self.model = env.model as string
    const created = JSON.stringify({ response: whole('in_progress') })
    emit('response.created', created)
    emit('response.in_progress', created)
  }

  const open = (kind: Item['kind'], id: string, callId = '', name = ''): Item => {
    const index = items.length
    const deltaHead = `{"item_id":${JSON.stringify(id)},"output_index":${index}${kind === 'message' || kind === 'refusal' ? ',"content_index":0' : kind === 'reasoning' ? ',"summary_index":0' : ''},"delta":`
    const it: Item = { index, id, kind, body: '', callId, name, open: true, deltaHead }
    items.push(it)
    const item = kind === 'message' || kind === 'refusal' ? messageItem(id, 'in_progress', []) : kind === 'reasoning' ? { id, type: 'reasoning', summary: [] } : functionCallItem(id, 'in_progress', callId, name, '')
    emit('response.output_item.added', JSON.stringify({ output_index: index, item }))
    if (kind === 'message') emit('response.content_part.added', JSON.stringify({ item_id: id, output_index: index, content_index: 0, part: textPart('') }))
    if (kind === 'refusal') emit('response.content_part.added', JSON.stringify({ item_id: id, output_index: index, content_index: 0, part: { type: 'refusal', refusal: '' } }))
    if (kind === 'reasoning') emit('response.reasoning_summary_part.added', JSON.stringify({ item_id: id, output_index: index, summary_index: 0, part: { type: 'summary_text', text: '' } }))
    return it
  }

  const done = (it: Item | undefined): void => {
    if (it === undefined || !it.open) return
    it.open = false
    const ids = { item_id: it.id, output_index: it.index }
    if (it.kind === 'message') {
      emit('response.output_text.done', JSON.stringify({ ...ids, content_index: 0, text: it.body, logprobs: [] }))
      emit('response.content_part.done', JSON.stringify({ ...ids, content_index: 0, part: textPart(it.body) }))
    } else if (it.kind === 'refusal') {
      emit('response.refusal.done', JSON.stringify({ ...ids, content_index: 0, refusal: it.body }))
      emit('response.content_part.done', JSON.stringify({ ...ids, content_index: 0, part: { type: 'refusal', refusal: it.body } }))
    } else if (it.kind === 'reasoning') {
      emit('response.reasoning_summary_text.done', JSON.stringify({ ...ids, summary_index: 0, text: it.body }))
      emit('response.reasoning_summary_part.done', JSON.stringify({ ...ids, summary_index: 0, part: { type: 'summary_text', text: it.body } }))
    } else emit('response.function_call_arguments.done', JSON.stringify({ ...ids, name: it.name, arguments: it.body }))
    emit('response.output_item.done', JSON.stringify({ output_index: it.index, item: finalItem(it) }))
  }

  const finalItem = (it: Item): Obj =>
    it.kind === 'message'
      ? messageItem(it.id, finish === 'length' ? 'incomplete' : 'completed', [textPart(it.body)])
      : it.kind === 'refusal'
        ? messageItem(it.id, 'completed', [{ type: 'refusal', refusal: it.body }])
        : it.kind === 'reasoning'
        ? reasoningItem(it.id, it.body)
        : functionCallItem(it.id, 'completed', it.callId, it.name, it.body)

  const delta = (it: Item, type: string, d: string): void => {
    it.body += d
    emit(type, `${it.deltaHead}${JSON.stringify(d)}${it.kind === 'message' ? ',"logprobs":[]' : ''}}`)
  }

  // Data properties kept in step with the state, not getters (see wire/sse.ts: a getter per instance costs a hidden
  // class in old space and keeps the stream's objects alive through young-generation GCs).
  const self: ChatToResponsesStream & { complete: boolean; usage: Usage | undefined; model: string | undefined; text: string } = {
    complete: false,
    usage: undefined,
    model: undefined,
    text: '',
    pushText(quoted) {
      if (finished || env === undefined) return undefined
      if (quoted.length === 2) return [] // "" adds nothing (as push() skips empty content)
      done(reasoning)
      const t = quoted.slice(1, -1)
      text += t
      self.text = text
      const it = (message ??= open('message', `msg_${suffix}`))
      it.body += t
      emit('response.output_text.delta', `${it.deltaHead}${quoted},"logprobs":[]}`)
      const s = out
      out = []
      return s
    },
    push(chunk) {
      if (finished) return []
      if (env === undefined) start(chunk)
      if (isObject(chunk.usage)) {
        rawUsage = chunk.usage
        self.usage = parseUsage({ usage: rawUsage })
      }
      const choices = Array.isArray(chunk.choices) ? (chunk.choices as unknown[]) : []
      // the Responses API has no `n`: the first choice is the answer
      const choice = choices.find((c) => isObject(c) && (c.index ?? 0) === 0) as Obj | undefined
      const d = choice && isObject(choice.delta) ? choice.delta : undefined
      if (d !== undefined) {
        const r = reasoningOf(d)
        if (r) delta((reasoning ??= open('reasoning', `rs_${suffix}`)), 'response.reasoning_summary_text.delta', r)
        if (typeof d.content === 'string' && d.content !== '') {
          done(reasoning)
          text += d.content
          delta((message ??= open('message', `msg_${suffix}`)), 'response.output_text.delta', d.content)
        }
        if (typeof d.refusal === 'string' && d.refusal !== '') {
          done(reasoning)
          done(message)
          delta((refusal ??= open('refusal', `msg_${suffix}_refusal`)), 'response.refusal.delta', d.refusal)
        }
        if (Array.isArray(d.tool_calls)) {
          for (const tc of d.tool_calls as unknown[]) {
            if (!isObject(tc)) continue
            const k = typeof tc.index === 'number' ? tc.index : 0
            const f = isObject(tc.function) ? tc.function : {}
            let it = tools.get(k)
            // a new id at a used index is a new call (some OpenAI-compatible servers send every call at index 0)
            if (it === undefined || (typeof tc.id === 'string' && tc.id !== '' && tc.id !== it.callId)) {
              done(reasoning)
              done(message)
              const callId = str(tc.id) ?? `call_${suffix}_${k}`
              it = open('function_call', `fc_${idSuffix(callId)}`, callId, str(f.name) ?? '')
              tools.set(k, it)
            }
            if (typeof f.arguments === 'string' && f.arguments !== '') delta(it, 'response.function_call_arguments.delta', f.arguments)
          }
        }
      }
      if (choice && typeof choice.finish_reason === 'string') {
        finish = choice.finish_reason
        self.complete = true
      }
      self.text = text
      const s = out
      out = []
      return s
    },
    finish(fallback?: Usage) {
      if (finished) return []
      finished = true
      if (env === undefined) start({})
      if (items.length === 0) message = open('message', `msg_${suffix}`) // an empty answer is one empty message
      for (const it of items) done(it)
      const st = statusOf(finish)
      const final: Obj = { ...env, ...st, output: items.map(finalItem), usage: responsesUsage(rawUsage ?? fallback) ?? null }
      emit(st.status === 'completed' ? 'response.completed' : 'response.incomplete', JSON.stringify({ response: final }))
      const s = out
      out = []
      return s
    },
  }
  return self
}
