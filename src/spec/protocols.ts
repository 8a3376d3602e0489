/**
 * SPEC §3 providers[].grpc and providers[].graphql (issue 12): the settings of the `type: grpc` and `type: graphql`
 * upstreams. Kept apart from schema.ts so the protocol fields stay one hunk there.
 */
import { z } from 'zod'

/** What a request field can be filled from: a part of the chat (or completions) request. */
export const REQUEST_SOURCES = [
  'prompt', // the completions prompt, or the chat messages as "role: text" lines
  'lastMessage', // the text of the last message (the prompt for completions)
  'system', // the system messages' text
  'messages', // the messages as a JSON string
  'model', // the target's upstream model
  'max_tokens', // max_completion_tokens or max_tokens
  'temperature',
  'top_p',
  'stop', // always a list
  'seed',
  'user',
  'stream', // true for a streaming call
  'requestId', // x-request-id
] as const
export type RequestSource = (typeof REQUEST_SOURCES)[number]

const source = z.union([
  z.enum(REQUEST_SOURCES),
  z.strictObject({ const: z.union([z.string(), z.number(), z.boolean()]) }).meta({ description: 'a fixed value' }),
])

/** Dotted paths into the upstream's answer (array items by index: `responses.0.text`). */
const fieldPath = z.string().regex(/^[A-Za-z_][\w]*(\.(\d+|[A-Za-z_]\w*))*$/, { error: 'expected a dotted field path like result.text or responses.0.text' })

const answer = z.strictObject({
  text: fieldPath.meta({ description: 'the answer text (streams: the text each message adds)' }),
  finishReason: fieldPath.optional().meta({ description: 'a stop reason; mapped to stop/length' }),
  promptTokens: fieldPath.optional(),
  completionTokens: fieldPath.optional(),
})

/** Request field -> source: dotted field paths of the request message (gRPC) or variable names (GraphQL). */
const requestMap = z.record(z.string().min(1), source)

export const GRPC_PRESETS = ['kserve-v2', 'tgis'] as const
export type GrpcPreset = (typeof GRPC_PRESETS)[number]

export const grpcSettings = z
  .strictObject({
    preset: z.enum(GRPC_PRESETS).optional().meta({ description: 'kserve-v2 (inference.GRPCInferenceService) | tgis (fmaas.GenerationService); absent = generic' }),
    proto: z.string().min(1).optional().meta({ description: 'generic: the .proto file, relative to the spec file' }),
    service: z.string().min(1).optional().meta({ description: 'generic: the fully qualified service, e.g. my.pkg.Chat' }),
    method: z.string().min(1).optional().meta({ description: 'generic: the unary method used for non-streaming calls' }),
    streamMethod: z.string().min(1).optional().meta({ description: 'generic: a server-streaming method for stream: true' }),
    request: requestMap.optional().meta({ description: 'generic: request field path -> chat source or { const }' }),
    streamRequest: requestMap.optional().meta({ description: 'generic: the same for streamMethod; default: request' }),
    response: answer.optional(),
    streamResponse: answer.optional().meta({ description: 'paths in each streamed message; default: response' }),
    textInput: z.string().min(1).default('text_input').meta({ description: 'kserve-v2: the BYTES input tensor for the prompt' }),
    textOutput: z.string().min(1).default('text_output').meta({ description: 'kserve-v2: the BYTES output tensor with the text' }),
    ca: z.string().min(1).optional().meta({ description: 'PEM CA file for an https:// baseUrl with a private CA' }),
  })
  .superRefine((g, ctx) => {
    const generic = ['proto', 'service', 'method', 'streamMethod', 'request', 'streamRequest', 'response', 'streamResponse'] as const
    if (g.preset !== undefined) {
      for (const k of generic) if (g[k] !== undefined) ctx.addIssue({ code: 'custom', path: [k], message: `${k} is for the generic form; preset ${g.preset} fixes it` })
      return
    }
    for (const k of ['proto', 'service', 'method', 'response'] as const)
      if (g[k] === undefined) ctx.addIssue({ code: 'custom', path: [k], message: `a generic grpc provider needs ${k} (or set preset: kserve-v2 | tgis)` })
  })

export const graphqlSettings = z.strictObject({
  document: z.string().min(1).meta({ description: 'the query or mutation for non-streaming calls' }),
  subscription: z.string().min(1).optional().meta({ description: 'a subscription over graphql-ws for stream: true' }),
  wsUrl: z.url({ protocol: /^wss?$/, error: 'expected a ws(s) URL' }).optional().meta({ description: 'default: baseUrl with ws(s)://' }),
  schema: z.string().min(1).optional().meta({ description: 'SDL file (relative to the spec file) the documents are validated against at lint' }),
  variables: requestMap.default({}).meta({ description: 'variable name -> chat source or { const }' }),
  response: answer.meta({ description: 'paths under `data`' }),
  streamResponse: answer.optional().meta({ description: 'paths under each event\'s `data`; default: response' }),
})

export type GrpcSettings = z.output<typeof grpcSettings>
export type GraphqlSettings = z.output<typeof graphqlSettings>
export type AnswerPaths = z.output<typeof answer>
export type RequestMap = z.output<typeof requestMap>

interface ProtocolFields {
  type: string
  baseUrl?: string | undefined
  headers: Record<string, string>
  grpc?: GrpcSettings | undefined
  graphql?: GraphqlSettings | undefined
}

// gRPC metadata: lower-case keys of [0-9a-z_.-] (HTTP/2 header rules), printable ASCII values (no binary `-bin` keys)
const METADATA_KEY = /^[0-9a-zA-Z_.-]+$/
const METADATA_VALUE = /^[\x20-\x7e]*$/

/** Cross-field checks of one provider entry: a protocol's settings go with its type, and it has an address. */
export function refineProtocols(p: ProtocolFields, ctx: z.RefinementCtx): void {
  if (p.type === 'grpc') {
    for (const [k, v] of Object.entries(p.headers)) {
      if (!METADATA_KEY.test(k) || k.toLowerCase().endsWith('-bin') || k.startsWith('grpc-'))
        ctx.addIssue({ code: 'custom', path: ['headers', k], message: `'${k}' cannot be gRPC metadata (letters, digits, _ . - only; no grpc- prefix or -bin suffix)` })
      else if (!METADATA_VALUE.test(v)) ctx.addIssue({ code: 'custom', path: ['headers', k], message: 'gRPC metadata values must be printable ASCII' })
    }
  }
  for (const t of ['grpc', 'graphql'] as const) {
    if (p.type === t && p[t] === undefined) ctx.addIssue({ code: 'custom', path: [t], message: `type: ${t} needs ${t} settings` })
    if (p.type !== t && p[t] !== undefined) ctx.addIssue({ code: 'custom', path: [t], message: `${t} settings apply only to type: ${t}, not ${p.type}` })
    if (p.type === t && !p.baseUrl) ctx.addIssue({ code: 'custom', path: ['baseUrl'], message: `type: ${t} needs baseUrl (${t === 'grpc' ? 'http://host:port, or https:// for TLS' : 'the GraphQL endpoint URL'})` })
  }
}
