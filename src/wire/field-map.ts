/**
 * The declarative field mapping of the gRPC and GraphQL upstreams (SPEC §3 providers[].grpc.request/response,
 * graphql.variables/response): request fields filled from parts of the chat request, answer fields read back by
 * dotted paths. Paths are split once at compile time; a request costs one walk per mapped field.
 */
import type { Usage } from '../core/types.js'
import { contentText, isObject, maxTokensOf, promptText } from './openai.js'

type Obj = Record<string, unknown>

/** What a request's sources are read from besides the body. */
export interface SourceContext {
  body: Readonly<Obj>
  stream: boolean
  requestId: string | undefined
}

const messagesOf = (b: Readonly<Obj>): Obj[] => (Array.isArray(b.messages) ? (b.messages as unknown[]).filter(isObject) : [])

/**
 * Each request source (spec/protocols.ts REQUEST_SOURCES) and how it is read. wire/ does not import spec/: the mapping
 * types below are structural, and providers/ passing the spec's settings here checks at compile time that every
 * source the schema accepts has a reader.
 */
const SOURCES = {
  prompt: (c) => promptText(c.body),
  lastMessage: (c) => {
    const ms = messagesOf(c.body)
    return ms.length > 0 ? contentText(ms[ms.length - 1]!.content) : promptText(c.body)
  },
  system: (c) => messagesOf(c.body).filter((m) => m.role === 'system' || m.role === 'developer').map((m) => contentText(m.content)).join('\n'),
  messages: (c) => JSON.stringify(messagesOf(c.body).map((m) => ({ role: m.role, content: contentText(m.content) }))),
  model: (c) => c.body.model,
  max_tokens: (c) => maxTokensOf(c.body),
  temperature: (c) => c.body.temperature,
  top_p: (c) => c.body.top_p,
  stop: (c) => (typeof c.body.stop === 'string' ? [c.body.stop] : Array.isArray(c.body.stop) ? c.body.stop : undefined),
  seed: (c) => c.body.seed,
  user: (c) => c.body.user,
  stream: (c) => c.stream,
  requestId: (c) => c.requestId,
} satisfies Record<string, (c: SourceContext) => unknown>

export type RequestSource = keyof typeof SOURCES
/** Request field path (gRPC) or variable name (GraphQL) -> a source or a fixed value. */
export type RequestMap = Readonly<Record<string, RequestSource | { readonly const: string | number | boolean }>>

/** Dotted paths into one upstream answer (providers[].grpc.response, graphql.response). */
export interface AnswerPaths {
  readonly text: string
  readonly finishReason?: string | undefined
  readonly promptTokens?: string | undefined
  readonly completionTokens?: string | undefined
}

/** Splits `a.b.0.c` into segments (numbers for array indexes). */
export function parseFieldPath(path: string): Array<string | number> {
  return path.split('.').map((s) => (/^\d+$/.test(s) ? Number(s) : s))
}

/** The value at a parsed path, or undefined. */
export function readPath(obj: unknown, path: ReadonlyArray<string | number>): unknown {
  let v = obj
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined
    v = (v as Record<string | number, unknown>)[seg]
  }
  return v
}

function writePath(obj: Obj, path: ReadonlyArray<string | number>, value: unknown): void {
  let o: Record<string | number, unknown> = obj
  for (let i = 0; i < path.length - 1; i++) {
    const seg = path[i]!
    const next = o[seg]
    if (next === null || typeof next !== 'object') o[seg] = typeof path[i + 1] === 'number' ? [] : {}
    o = o[seg] as Record<string | number, unknown>
  }
  o[path[path.length - 1]!] = value
}

/** Compiles a request mapping into a builder: fields whose source is absent in a request are left out. */
export function compileRequestMap(map: RequestMap): (c: SourceContext) => Obj {
  const fields = Object.entries(map).map(([field, src]) => {
    const path = parseFieldPath(field)
    const read = typeof src === 'string' ? SOURCES[src] : () => src.const
    return { path, read }
  })
  return (c) => {
    const out: Obj = {}
    for (const f of fields) {
      const v = f.read(c)
      if (v !== undefined && v !== null) writePath(out, f.path, v)
    }
    return out
  }
}

/** One upstream message (or data object) read through the answer paths. */
export interface MappedAnswer {
  text: string
  finish: unknown
  /** Only when the upstream reported both counts. */
  usage: Usage | undefined
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : undefined)

export function compileAnswerPaths(p: AnswerPaths): (msg: unknown) => MappedAnswer {
  const text = parseFieldPath(p.text)
  const finish = p.finishReason !== undefined ? parseFieldPath(p.finishReason) : undefined
  const prompt = p.promptTokens !== undefined ? parseFieldPath(p.promptTokens) : undefined
  const completion = p.completionTokens !== undefined ? parseFieldPath(p.completionTokens) : undefined
  return (msg) => {
    const t = readPath(msg, text)
    const pt = prompt ? num(readPath(msg, prompt)) : undefined
    const ct = completion ? num(readPath(msg, completion)) : undefined
    return {
      text: typeof t === 'string' ? t : t === undefined || t === null ? '' : String(t),
      finish: finish ? readPath(msg, finish) : undefined,
      usage: pt !== undefined && ct !== undefined ? { prompt_tokens: pt, completion_tokens: ct, total_tokens: pt + ct } : undefined,
    }
  }
}
