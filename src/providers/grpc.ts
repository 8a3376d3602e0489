/**
 * `type: grpc` (SPEC §3 providers[].grpc, issue 12): OpenAI chat/completions in, a gRPC call out through
 * @grpc/grpc-js, the answer mapped back. Streams use the server-streaming (or Triton's bidi) method and are relayed
 * piece by piece; a client disconnect cancels the call (call.cancel()), the attempt timeout is the call's deadline
 * (for streams: the gap between messages, the request's budget the deadline), statuses map to SPEC §4 codes.
 * The proto is loaded once, here, at compile time.
 */
import { readFileSync } from 'node:fs'
import * as grpc from '@grpc/grpc-js'
import { loadSync, type MethodDefinition } from '@grpc/proto-loader'
import { GatewayError } from '../core/errors.js'
import type { ProviderConfig } from './config.js'
import { compileGrpcCodec, type GrpcCodec, type StreamStep } from './grpc-codecs.js'
import { mapGrpcError } from './grpc-status.js'
import { abortedError, answerFormat, relayStream, relayWhole } from './text-relay.js'
import type { AttemptResult, AttemptSink, ProviderClient, UpstreamCall } from './types.js'
import { createScrubber } from './upstream-errors.js'
import type { MappedAnswer } from '../wire/field-map.js'

type Method = MethodDefinition<object, object>

/** How proto-loader reads messages: field names as in the proto, enums by name, 64-bit numbers as JS numbers. */
export const PROTO_LOAD_OPTIONS = { keepCase: true, enums: String, longs: Number, defaults: true, oneofs: true } as const

function loadMethods(name: string, codec: GrpcCodec): { unary: Method; stream: Method | undefined } {
  const def = loadSync(codec.protoFile, PROTO_LOAD_OPTIONS)
  const service = def[codec.service] as Record<string, Method> | undefined
  if (!service || typeof service !== 'object' || 'format' in service) throw new Error(`provider ${name}: service ${codec.service} not found in ${codec.protoFile}`)
  const pick = (m: string): Method => {
    const d = service[m]
    if (!d) throw new Error(`provider ${name}: method ${m} not found in service ${codec.service}`)
    return d
  }
  return { unary: pick(codec.method), stream: codec.streamMethod !== undefined ? pick(codec.streamMethod) : undefined }
}

function address(baseUrl: string): { target: string; tls: boolean } {
  const u = new URL(baseUrl)
  const tls = u.protocol === 'https:'
  return { target: `${u.hostname.includes(':') ? `[${u.hostname}]` : u.hostname}:${u.port || (tls ? 443 : 80)}`, tls }
}

export function createGrpcClient(cfg: ProviderConfig): ProviderClient {
  const name = cfg.name
  if (!cfg.grpc) throw new Error(`provider ${name}: type grpc needs grpc settings`)
  const codec = compileGrpcCodec(cfg.grpc)
  const methods = loadMethods(name, codec)
  const { target, tls } = address(cfg.baseUrl)
  const creds = tls ? grpc.credentials.createSsl(cfg.grpc.ca !== undefined ? readFileSync(cfg.grpc.ca) : null) : grpc.credentials.createInsecure()
  const client = new grpc.Client(target, creds, { 'grpc.max_receive_message_length': 32 * 1024 * 1024 })
  const scrub = createScrubber([cfg.apiKey?.reveal() ?? '', ...Object.values(cfg.headers)])
  const base = new grpc.Metadata()
  for (const [k, v] of Object.entries(cfg.headers)) base.set(k.toLowerCase(), v)
  if (cfg.apiKey) base.set('authorization', `Bearer ${cfg.apiKey.reveal()}`)
  const mapError = (e: unknown): GatewayError => mapGrpcError(name, e, scrub)

  const metadataFor = (req: UpstreamCall): grpc.Metadata => {
    if (!req.headers) return base
    const md = base.clone()
    for (const [k, v] of Object.entries(req.headers)) md.set(k, v)
    return md
  }
  const timeoutOf = (req: UpstreamCall): number => (req.timeoutMs > 0 ? req.timeoutMs : cfg.timeoutMs)

  function unary(req: UpstreamCall, message: object): Promise<unknown> {
    return new Promise((resolve, reject) => {
      if (req.signal.aborted) return reject(abortedError(name, req))
      const m = methods.unary
      const call = client.makeUnaryRequest(m.path, m.requestSerialize, m.responseDeserialize, message, metadataFor(req), { deadline: Date.now() + timeoutOf(req) }, (err, res) => {
        req.signal.removeEventListener('abort', onAbort)
        if (req.signal.aborted) reject(abortedError(name, req))
        else if (err) reject(mapError(err))
        else resolve(res)
      })
      const onAbort = (): void => call.cancel()
      req.signal.addEventListener('abort', onAbort, { once: true })
    })
  }

  async function* pieces(call: grpc.ClientReadableStream<unknown>, step: (m: unknown) => StreamStep): AsyncGenerator<MappedAnswer> {
    try {
      for await (const msg of call) {
        const s = step(msg)
        yield s.answer
        if (s.final) return
      }
    } finally {
      call.cancel() // a no-op once the call has ended; stops it when the reader leaves early
    }
  }

  function stream(req: UpstreamCall, m: Method, message: object): { messages: AsyncIterable<MappedAnswer>; cancel(): void } {
    const opts: grpc.CallOptions = req.streamBudgetMs !== undefined ? { deadline: Date.now() + req.streamBudgetMs } : {}
    let call: grpc.ClientReadableStream<unknown>
    if (m.requestStream) {
      const duplex = client.makeBidiStreamRequest(m.path, m.requestSerialize, m.responseDeserialize, metadataFor(req), opts)
      duplex.write(message)
      duplex.end()
      call = duplex
    } else {
      call = client.makeServerStreamRequest(m.path, m.requestSerialize, m.responseDeserialize, message, metadataFor(req), opts)
    }
    return { messages: pieces(call, codec.streamDecoder()), cancel: () => call.cancel() }
  }

  async function call(req: UpstreamCall, sink: AttemptSink): Promise<AttemptResult> {
    const fmt = answerFormat(name, req)
    const ctx = { body: req.body, stream: req.stream, requestId: req.headers?.['x-request-id'] }
    const model = typeof req.body.model === 'string' ? req.body.model : undefined
    const m = req.stream ? methods.stream : undefined
    if (m === undefined) return relayWhole(req, sink, fmt, codec.decode(await unary(req, codec.encode({ ...ctx, stream: false }))), model)
    if (req.signal.aborted) throw abortedError(name, req)
    return relayStream(name, req, sink, fmt, stream(req, m, codec.encode(ctx)), mapError)
  }

  return { name, type: 'grpc', call, close: () => Promise.resolve(client.close()) }
}
