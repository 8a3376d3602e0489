/**
 * What a `type: grpc` provider sends and reads (SPEC §3 providers[].grpc): the built-in presets for real inference
 * servers (KServe / Open Inference Protocol v2 with Triton's ModelStreamInfer; TGIS fmaas.GenerationService) and
 * the generic form (the user's proto + a declarative field mapping). Messages are plain objects as proto-loader
 * reads them (keepCase, enums as names, longs as numbers, defaults filled).
 */
import { join } from 'node:path'
import { GatewayError } from '../core/errors.js'
import { packageRoot } from '../core/package-root.js'
import type { GrpcSettings } from '../spec/protocols.js'
import { compileAnswerPaths, compileRequestMap, type MappedAnswer, type SourceContext } from '../wire/field-map.js'
import { isObject, maxTokensOf, promptText } from '../wire/openai.js'

type Obj = Record<string, unknown>

/** One stream message read: the piece it adds, and whether it is the last one (Triton's triton_final_response). */
export interface StreamStep {
  answer: MappedAnswer
  final: boolean
}

export interface GrpcCodec {
  protoFile: string
  service: string
  method: string
  streamMethod: string | undefined
  /** The message for the unary method (c.stream false) or the stream method (c.stream true). */
  encode(c: SourceContext): Obj
  decode(msg: unknown): MappedAnswer
  /** New per stream: holds what earlier messages said (TGIS sends the prompt's token count only in the first). */
  streamDecoder(): (msg: unknown) => StreamStep
}

/** The preset protos (wire-compatible subsets of the public definitions), shipped with the package. */
export const PRESET_PROTOS = {
  'kserve-v2': join('fixtures', 'protos', 'kserve', 'grpc_service.proto'),
  tgis: join('fixtures', 'protos', 'tgis', 'generation.proto'),
} as const

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined)
const usageOf = (p: number | undefined, c: number | undefined) => (p !== undefined && c !== undefined && p + c > 0 ? { prompt_tokens: p, completion_tokens: c, total_tokens: p + c } : undefined)
const stopList = (b: Readonly<Obj>): string[] => (typeof b.stop === 'string' ? [b.stop] : Array.isArray(b.stop) ? b.stop.filter((s): s is string => typeof s === 'string') : [])

/** A BYTES tensor's first element: from contents.bytes_contents, or raw contents (4-byte little-endian length + data). */
function bytesElement(out: Obj, raw: Buffer | undefined): string {
  const contents = isObject(out.contents) ? out.contents : undefined
  const list = contents?.bytes_contents
  if (Array.isArray(list) && list.length > 0) return Buffer.from(list[0] as Uint8Array).toString('utf8')
  if (raw === undefined || raw.length < 4) return ''
  const n = raw.readUInt32LE(0)
  return raw.subarray(4, 4 + n).toString('utf8')
}

function kserve(g: GrpcSettings): GrpcCodec {
  const tensor = (name: string, datatype: string, contents: Obj): Obj => ({ name, datatype, shape: [1, 1], contents })
  const decode = (msg: unknown): MappedAnswer => {
    if (!isObject(msg) || !Array.isArray(msg.outputs)) return { text: '', finish: undefined, usage: undefined }
    const i = msg.outputs.findIndex((o) => isObject(o) && o.name === g.textOutput)
    if (i < 0) throw new GatewayError('upstream_error', `KServe answer has no output tensor '${g.textOutput}' (set grpc.textOutput)`, { retryClass: 'status', upstreamStatus: 200 })
    const raw = Array.isArray(msg.raw_output_contents) ? (msg.raw_output_contents[i] as Buffer | undefined) : undefined
    return { text: bytesElement(msg.outputs[i] as Obj, raw), finish: undefined, usage: undefined }
  }
  return {
    protoFile: join(packageRoot(), PRESET_PROTOS['kserve-v2']),
    service: 'inference.GRPCInferenceService',
    method: 'ModelInfer',
    streamMethod: 'ModelStreamInfer',
    encode(c) {
      const b = c.body
      // the inputs of TensorRT-LLM's ensemble model (text_input, max_tokens, stream, sampling); others are left out
      const inputs: Obj[] = [tensor(g.textInput, 'BYTES', { bytes_contents: [Buffer.from(promptText(b))] })]
      const max = maxTokensOf(b)
      if (max !== undefined) inputs.push(tensor('max_tokens', 'INT32', { int_contents: [max] }))
      inputs.push(tensor('stream', 'BOOL', { bool_contents: [c.stream] }))
      if (num(b.temperature) !== undefined) inputs.push(tensor('temperature', 'FP32', { fp32_contents: [b.temperature] }))
      if (num(b.top_p) !== undefined) inputs.push(tensor('top_p', 'FP32', { fp32_contents: [b.top_p] }))
      return { model_name: typeof b.model === 'string' ? b.model : '', id: c.requestId ?? '', inputs, outputs: [{ name: g.textOutput }] }
    },
    decode,
    streamDecoder: () => (msg) => {
      const m = isObject(msg) ? msg : {}
      if (typeof m.error_message === 'string' && m.error_message !== '') throw new GatewayError('upstream_error', `KServe stream error: ${m.error_message.slice(0, 300)}`, { retryClass: 'status', upstreamStatus: 500 })
      const res = isObject(m.infer_response) ? m.infer_response : {}
      const params = isObject(res.parameters) ? res.parameters : {}
      const fin = params.triton_final_response
      return { answer: decode(res), final: isObject(fin) && fin.bool_param === true }
    },
  }
}

function tgis(): GrpcCodec {
  const params = (b: Readonly<Obj>): Obj => {
    const t = num(b.temperature)
    const sampling: Obj = {}
    if (t !== undefined) sampling.temperature = t
    if (num(b.top_p) !== undefined) sampling.top_p = b.top_p
    if (num(b.seed) !== undefined) sampling.seed = b.seed
    const stopping: Obj = { stop_sequences: stopList(b) }
    const max = maxTokensOf(b)
    if (max !== undefined) stopping.max_new_tokens = max
    return { method: t !== undefined && t > 0 ? 'SAMPLE' : 'GREEDY', sampling, stopping }
  }
  const read = (r: unknown, prompt?: number): MappedAnswer => {
    const m = isObject(r) ? r : {}
    return { text: typeof m.text === 'string' ? m.text : '', finish: m.stop_reason, usage: usageOf(num(m.input_token_count) || prompt, num(m.generated_token_count)) }
  }
  return {
    protoFile: join(packageRoot(), PRESET_PROTOS.tgis),
    service: 'fmaas.GenerationService',
    method: 'Generate',
    streamMethod: 'GenerateStream',
    encode(c) {
      const b = c.body
      const model_id = typeof b.model === 'string' ? b.model : ''
      const text = promptText(b)
      return c.stream ? { model_id, request: { text }, params: params(b) } : { model_id, requests: [{ text }], params: params(b) }
    },
    decode: (msg) => read(isObject(msg) && Array.isArray(msg.responses) ? msg.responses[0] : undefined),
    streamDecoder() {
      let prompt: number | undefined
      return (msg) => {
        const a = read(msg, prompt)
        prompt ||= isObject(msg) ? num(msg.input_token_count) : undefined
        return { answer: a, final: false }
      }
    },
  }
}

function generic(g: GrpcSettings): GrpcCodec {
  // the schema requires these for the generic form; lint has checked them against the proto
  const response = compileAnswerPaths(g.response!)
  const streamResponse = compileAnswerPaths(g.streamResponse ?? g.response!)
  const request = compileRequestMap(g.request ?? {})
  const streamRequest = g.streamRequest !== undefined ? compileRequestMap(g.streamRequest) : request
  return {
    protoFile: g.proto!,
    service: g.service!,
    method: g.method!,
    streamMethod: g.streamMethod,
    encode: (c) => (c.stream ? streamRequest(c) : request(c)),
    decode: response,
    streamDecoder: () => (msg) => ({ answer: streamResponse(msg), final: false }),
  }
}

export function compileGrpcCodec(g: GrpcSettings): GrpcCodec {
  return g.preset === 'kserve-v2' ? kserve(g) : g.preset === 'tgis' ? tgis() : generic(g)
}
