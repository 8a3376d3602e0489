/**
 * `llmgw mock --grpc-port N` (issue 12): a @grpc/grpc-js server speaking the two preset protocols, KServe v2
 * (inference.GRPCInferenceService ModelInfer / ModelStreamInfer, TensorRT-LLM's text_input/text_output tensors) and
 * TGIS (fmaas.GenerationService Generate / GenerateStream), with the mock's deterministic answers, latency and
 * tokens per second. A prompt containing `mock-fail:<STATUS>` (e.g. mock-fail:UNAVAILABLE) answers that gRPC status,
 * so error paths can be tried without headers. Counts calls and cancellations (for tests of client aborts).
 */
import { join } from 'node:path'
import * as grpc from '@grpc/grpc-js'
import { loadSync } from '@grpc/proto-loader'
import { packageRoot } from '../core/package-root.js'
import { gapMs } from '../wire/mock-controls.js'
import { answerPieces, answerWords, countWords, DEFAULT_ANSWER_TOKENS } from '../wire/mock-text.js'

type Obj = Record<string, unknown>

export interface GrpcMockOptions {
  host: string
  port: number
  latencyMs: number
  tokensPerSecond: number
  /** PEM key and certificate: serve TLS (tests of https:// baseUrls with a private CA). */
  tls?: { key: Buffer; cert: Buffer }
}

export interface GrpcMockStats {
  calls: number
  /** Calls the client cancelled before they finished. */
  cancelled: number
  /** The `authorization` metadata of the last call (tests check the provider's apiKey arrives). */
  authorization: string | undefined
}

export interface GrpcMock {
  readonly port: number
  readonly url: string
  readonly stats: GrpcMockStats
  close(): Promise<void>
}

const LOAD = { keepCase: true, enums: String, longs: Number, defaults: true, oneofs: true } as const
const FAIL = /mock-fail:([A-Z_]+)/
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)

/** The answer for a prompt: pieces limited by max tokens, or the gRPC status the prompt asks for. */
function answerFor(prompt: string, maxTokens: number): { pieces: string[]; truncated: boolean; promptTokens: number } | grpc.StatusObject {
  const fail = FAIL.exec(prompt)?.[1]
  if (fail !== undefined) {
    const code = (grpc.status as unknown as Record<string, number>)[fail] ?? grpc.status.INTERNAL
    return { code, details: `mock failure ${fail}`, metadata: new grpc.Metadata() }
  }
  const n = maxTokens > 0 ? Math.min(maxTokens, DEFAULT_ANSWER_TOKENS) : DEFAULT_ANSWER_TOKENS
  return { pieces: answerPieces(answerWords(prompt, n)), truncated: maxTokens > 0 && maxTokens < DEFAULT_ANSWER_TOKENS, promptTokens: Math.max(1, countWords(prompt)) }
}

// unref: a pending answer never keeps a closed mock (or the test process) alive
const sleep = (ms: number): Promise<void> => (ms > 0 ? new Promise((r) => setTimeout(r, ms).unref()) : Promise.resolve())

function kserveInput(req: Obj, name: string): Obj | undefined {
  const inputs = Array.isArray(req.inputs) ? req.inputs : []
  const t = inputs.find((i) => isObj(i) && i.name === name)
  return isObj(t) && isObj(t.contents) ? t.contents : undefined
}

function kserveRequest(req: Obj): { prompt: string; max: number } {
  const text = kserveInput(req, 'text_input')?.bytes_contents
  const max = kserveInput(req, 'max_tokens')?.int_contents
  return {
    prompt: Array.isArray(text) && text.length > 0 ? Buffer.from(text[0] as Uint8Array).toString('utf8') : '',
    max: Array.isArray(max) && typeof max[0] === 'number' ? max[0] : 0,
  }
}

const kserveResponse = (req: Obj, text: string, final?: boolean): Obj => ({
  model_name: req.model_name,
  id: req.id,
  outputs: [{ name: 'text_output', datatype: 'BYTES', shape: [1, 1], contents: { bytes_contents: [Buffer.from(text)] } }],
  ...(final === undefined ? {} : { parameters: { triton_final_response: { bool_param: final } } }),
})

function tgisParams(req: Obj): number {
  const stopping = isObj(req.params) && isObj(req.params.stopping) ? req.params.stopping : {}
  return typeof stopping.max_new_tokens === 'number' ? stopping.max_new_tokens : 0
}

export async function startGrpcMock(o: GrpcMockOptions): Promise<GrpcMock> {
  const root = packageRoot()
  const kserve = grpc.loadPackageDefinition(loadSync(join(root, 'fixtures/protos/kserve/grpc_service.proto'), LOAD)) as unknown as {
    inference: { GRPCInferenceService: grpc.ServiceClientConstructor }
  }
  const tgis = grpc.loadPackageDefinition(loadSync(join(root, 'fixtures/protos/tgis/generation.proto'), LOAD)) as unknown as {
    fmaas: { GenerationService: grpc.ServiceClientConstructor }
  }
  const stats: GrpcMockStats = { calls: 0, cancelled: 0, authorization: undefined }
  const seen = (md: grpc.Metadata): void => {
    stats.calls++
    const a = md.get('authorization')[0]
    stats.authorization = a === undefined ? undefined : String(a)
  }
  const gap = gapMs(o.tokensPerSecond)
  const server = new grpc.Server()

  /** Streams the pieces with the configured pace; stops at a cancel (counted). */
  async function streamPieces(call: grpc.ServerWritableStream<Obj, Obj> | grpc.ServerDuplexStream<Obj, Obj>, pieces: string[], write: (p: string, i: number) => Obj): Promise<boolean> {
    let cancelled = false
    call.on('cancelled', () => (cancelled = true))
    await sleep(o.latencyMs)
    for (let i = 0; i < pieces.length; i++) {
      if (cancelled) break
      call.write(write(pieces[i]!, i))
      if (gap > 0) await sleep(gap)
    }
    if (cancelled) stats.cancelled++
    return !cancelled
  }

  server.addService(kserve.inference.GRPCInferenceService.service, {
    ModelInfer: (call: grpc.ServerUnaryCall<Obj, Obj>, cb: grpc.sendUnaryData<Obj>) => {
      seen(call.metadata)
      const { prompt, max } = kserveRequest(call.request)
      const a = answerFor(prompt, max)
      void sleep(o.latencyMs).then(() => ('code' in a ? cb(a) : cb(null, kserveResponse(call.request, a.pieces.join('')))))
    },
    ModelStreamInfer: (call: grpc.ServerDuplexStream<Obj, Obj>) => {
      call.once('data', (req: Obj) => {
        seen(call.metadata)
        const { prompt, max } = kserveRequest(req)
        const a = answerFor(prompt, max)
        if ('code' in a) return call.emit('error', a)
        void streamPieces(call, a.pieces, (p) => ({ error_message: '', infer_response: kserveResponse(req, p, false) })).then((ok) => {
          if (!ok) return
          call.write({ error_message: '', infer_response: kserveResponse(req, '', true) })
          call.end()
        })
      })
    },
  })
  server.addService(tgis.fmaas.GenerationService.service, {
    Generate: (call: grpc.ServerUnaryCall<Obj, Obj>, cb: grpc.sendUnaryData<Obj>) => {
      seen(call.metadata)
      const reqs = Array.isArray(call.request.requests) ? call.request.requests : []
      const prompt = isObj(reqs[0]) && typeof reqs[0].text === 'string' ? reqs[0].text : ''
      const a = answerFor(prompt, tgisParams(call.request))
      if ('code' in a) return void sleep(o.latencyMs).then(() => cb(a))
      const res = { text: a.pieces.join(''), input_token_count: a.promptTokens, generated_token_count: a.pieces.length, stop_reason: a.truncated ? 'MAX_TOKENS' : 'EOS_TOKEN' }
      void sleep(o.latencyMs).then(() => cb(null, { responses: [res] }))
    },
    GenerateStream: (call: grpc.ServerWritableStream<Obj, Obj>) => {
      seen(call.metadata)
      const r = call.request
      const prompt = isObj(r.request) && typeof r.request.text === 'string' ? r.request.text : ''
      const a = answerFor(prompt, tgisParams(r))
      if ('code' in a) return void sleep(o.latencyMs).then(() => call.emit('error', a))
      const n = a.pieces.length
      void streamPieces(call, a.pieces, (p, i) => ({
        text: p,
        generated_token_count: i + 1,
        ...(i === 0 ? { input_token_count: a.promptTokens } : {}),
        stop_reason: i === n - 1 ? (a.truncated ? 'MAX_TOKENS' : 'EOS_TOKEN') : 'NOT_FINISHED',
      })).then((ok) => ok && call.end())
    },
  })

  const creds = o.tls ? grpc.ServerCredentials.createSsl(null, [{ private_key: o.tls.key, cert_chain: o.tls.cert }]) : grpc.ServerCredentials.createInsecure()
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${o.host.includes(':') ? `[${o.host}]` : o.host}:${o.port}`, creds, (err, p) => (err ? reject(err) : resolve(p))),
  )
  return {
    port,
    url: `${o.tls ? 'https' : 'http'}://${o.host}:${port}`,
    stats,
    close: () =>
      new Promise<void>((resolve) => {
        // in-flight streams (a client that never reads) must not hold the close: force after a short grace
        const t = setTimeout(() => {
          server.forceShutdown()
          resolve()
        }, 500)
        server.tryShutdown(() => {
          clearTimeout(t)
          resolve()
        })
      }),
  }
}
