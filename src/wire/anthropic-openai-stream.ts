/**
 * Streaming translation both ways (SPEC §4 /v1/messages, providers anthropic): Anthropic SSE events <-> OpenAI
 * chat.completion.chunk SSE. One translator per response holds that stream's state (open block, tool indexes, usage).
 */
import { GatewayError } from '../core/errors.js'
import type { Usage } from '../core/types.js'
import { formatAnthropicEvent } from './anthropic.js'
import { anthropicUsage, FINISH_TO_STOP, JSON_OUTPUT_TOOL, STOP_TO_FINISH } from './anthropic-openai.js'
import { type ChunkDelta, type FinishReason, isObject, parseUsage, SSE_DONE } from './openai.js'

type Obj = Record<string, unknown>
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined)

/**
 * A translator's state as plain data properties, set after each push/finish. Not getters: an object literal's getter
 * closures give every instance its own hidden class in old space, which kept each stream's objects alive through
 * young-generation GCs until the next full GC (wire/sse.ts, issue 14).
 */
interface StateView<In> {
  push: (event: In) => string[]
  finish: (fallback?: Usage) => string[]
  complete: boolean
  usage: Usage | undefined
  model: string | undefined
  text: string
}

const unset = (): string[] => []
function stateView<In>(): StateView<In> {
  return { push: unset, finish: unset, complete: false, usage: undefined, model: undefined, text: '' }
}

/** After a step: the translator's state into its view; returns the step's events. */
function copyState<In, T>(v: StateView<In>, complete: boolean, usage: Usage | undefined, model: string | undefined, text: string, events: T): T {
  v.complete = complete
  v.usage = usage
  v.model = model
  v.text = text
  return events
}

export interface StreamTranslator<In> {
  /** One upstream event (parsed) -> zero or more SSE events in the client's format. */
  push(event: In): string[]
  /** The upstream stream ended: the closing events not yet sent (none when the stream already closed itself). fallback: usage counted by the caller when the upstream sent none. */
  finish(fallback?: Usage): string[]
  /** True once the upstream signalled a complete answer (message_stop / [DONE] / a finish_reason). */
  readonly complete: boolean
  readonly usage: Usage | undefined
  readonly model: string | undefined
  /** The answer text so far (for counting tokens when the upstream reports no usage). */
  readonly text: string
}

/** Anthropic stream events -> OpenAI chunks; `includeUsage` adds the usage chunk the client asked for. */
export function createAnthropicToOpenAIStream(includeUsage: boolean, created = Math.floor(Date.now() / 1000)): StreamTranslator<Obj> {
  let id = 'chatcmpl-anthropic'
  let model: string | undefined
  let usage: Usage | undefined
  let text = ''
  let complete = false
  let finished = false
  const toolIndex = new Map<number, number>() // Anthropic block index -> OpenAI tool_calls index
  let jsonBlock: number | undefined // the block of the JSON output tool (wire/anthropic-openai.ts JSON_OUTPUT_TOOL): its input is the text
  const chunk = (delta: ChunkDelta, finish: FinishReason | null = null): string =>
    `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: model ?? '', choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] })}\n\n`
  const close = (): string[] => {
    if (finished) return []
    finished = true
    const out: string[] = []
    if (includeUsage && usage) out.push(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: model ?? '', choices: [], usage })}\n\n`)
    out.push(SSE_DONE)
    return out
  }
  const step = (e: Obj): string[] => {
    switch (e.type) {
      case 'message_start': {
        const m = isObject(e.message) ? e.message : {}
        id = str(m.id) ?? id
        model = str(m.model) ?? model
        usage = anthropicUsage(m.usage) ?? usage
        return [chunk({ role: 'assistant', content: '' })]
      }
      case 'content_block_start': {
        const b = isObject(e.content_block) ? e.content_block : {}
        if (b.type !== 'tool_use') return []
        if (b.name === JSON_OUTPUT_TOOL) {
          jsonBlock = Number(e.index)
          return []
        }
        const index = toolIndex.size
        toolIndex.set(Number(e.index), index)
        return [chunk({ tool_calls: [{ index, id: str(b.id) ?? '', type: 'function', function: { name: str(b.name) ?? '', arguments: '' } }] })]
      }
      case 'content_block_delta': {
        const d = isObject(e.delta) ? e.delta : {}
        if (d.type === 'text_delta' && typeof d.text === 'string') {
          text += d.text
          return [chunk({ content: d.text })]
        }
        if (d.type === 'input_json_delta' && jsonBlock === Number(e.index) && typeof d.partial_json === 'string') {
          text += d.partial_json
          return d.partial_json === '' ? [] : [chunk({ content: d.partial_json })]
        }
        const index = toolIndex.get(Number(e.index))
        if (d.type === 'input_json_delta' && index !== undefined) return [chunk({ tool_calls: [{ index, function: { arguments: str(d.partial_json) ?? '' } }] })]
        return []
      }
      case 'message_delta': {
        const d = isObject(e.delta) ? e.delta : {}
        const u = isObject(e.usage) ? e.usage : {}
        const prompt = typeof u.input_tokens === 'number' ? u.input_tokens : (usage?.prompt_tokens ?? 0)
        const completion = typeof u.output_tokens === 'number' ? u.output_tokens : (usage?.completion_tokens ?? 0)
        usage = { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion }
        complete = true
        const answered = d.stop_reason === 'tool_use' && toolIndex.size === 0 // only the JSON output tool was called
        return [chunk({}, answered ? 'stop' : (STOP_TO_FINISH[str(d.stop_reason) ?? ''] ?? 'stop'))]
      }
      case 'message_stop':
        complete = true
        return close()
      case 'error': {
        const err = isObject(e.error) ? e.error : {}
        throw new GatewayError('upstream_error', `upstream stream error: ${str(err.type) ?? 'error'}: ${(str(err.message) ?? '').slice(0, 300)}`, {
          retryClass: 'status',
        })
      }
      default:
        return [] // ping, content_block_stop, unknown future events
    }
  }
  const self = stateView<Obj>()
  const sync = <T>(r: T): T => copyState(self, complete, usage, model, text, r)
  self.push = (e) => sync(step(e))
  self.finish = () => sync(complete ? close() : [])
  return self
}

/** OpenAI chunks -> Anthropic stream events (for /v1/messages clients routed to an OpenAI-type target). */
export function createOpenAIToAnthropicStream(): StreamTranslator<Obj> {
  let started = false
  let finished = false
  let complete = false
  let model: string | undefined
  let usage: Usage | undefined
  let text = ''
  let stop = 'end_turn'
  let block = -1 // index of the open content block, -1 = none
  let blockType: 'text' | 'tool' | undefined
  const out: string[] = []
  const start = (c: Obj): void => {
    if (started) return
    started = true
    model = str(c.model) ?? model
    const id = `msg_${str(c.id) ?? 'openai'}`
    out.push(formatAnthropicEvent({ type: 'message_start', message: { id, type: 'message', role: 'assistant', model: model ?? '', content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 0, output_tokens: 0 } } }))
  }
  const open = (type: 'text' | 'tool', contentBlock: Obj): void => {
    if (block >= 0) out.push(formatAnthropicEvent({ type: 'content_block_stop', index: block }))
    block++
    blockType = type
    out.push(formatAnthropicEvent({ type: 'content_block_start', index: block, content_block: contentBlock }))
  }
  const step = (c: Obj): string[] => {
    start(c)
    usage = parseUsage(c) ?? usage
    const choice = Array.isArray(c.choices) && isObject(c.choices[0]) ? (c.choices[0] as Obj) : undefined
    const d = choice && isObject(choice.delta) ? choice.delta : {}
    if (typeof d.content === 'string' && d.content !== '') {
      if (blockType !== 'text') open('text', { type: 'text', text: '' })
      text += d.content
      out.push(formatAnthropicEvent({ type: 'content_block_delta', index: block, delta: { type: 'text_delta', text: d.content } }))
    }
    for (const tc of Array.isArray(d.tool_calls) ? (d.tool_calls as unknown[]) : []) {
      if (!isObject(tc)) continue
      const f = isObject(tc.function) ? tc.function : {}
      if (typeof tc.id === 'string') open('tool', { type: 'tool_use', id: tc.id, name: str(f.name) ?? '', input: {} })
      if (typeof f.arguments === 'string' && f.arguments !== '' && blockType === 'tool') {
        out.push(formatAnthropicEvent({ type: 'content_block_delta', index: block, delta: { type: 'input_json_delta', partial_json: f.arguments } }))
      }
    }
    if (choice && typeof choice.finish_reason === 'string') {
      stop = FINISH_TO_STOP[choice.finish_reason] ?? 'end_turn'
      complete = true
    }
    return out.splice(0)
  }
  const self = stateView<Obj>()
  const sync = <T>(r: T): T => copyState(self, complete, usage, model, text, r)
  self.push = (c) => sync(step(c))
  self.finish = (fallback) => sync(finishWith(fallback))
  const finishWith = (fallback?: Usage): string[] => {
    if (finished) return []
    finished = true
    if (!started) start({})
    if (block >= 0) out.push(formatAnthropicEvent({ type: 'content_block_stop', index: block }))
    const u = usage ?? fallback ?? { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 }
    out.push(
      formatAnthropicEvent({ type: 'message_delta', delta: { stop_reason: stop, stop_sequence: null }, usage: { input_tokens: u.prompt_tokens, output_tokens: u.completion_tokens } }),
      formatAnthropicEvent({ type: 'message_stop' }),
    )
    return out.splice(0)
  }
  return self
}
