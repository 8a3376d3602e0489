/**
 * `llmgw mock --graphql-port N` (issue 12): a GraphQL text-generation endpoint on one port, queries and mutations
 * over HTTP (graphql-http) and subscriptions over graphql-ws, at /graphql, with the mock's deterministic answers.
 * A prompt containing `mock-fail:<CODE>` answers a GraphQL error with that extensions.code (e.g. BAD_USER_INPUT).
 * MOCK_GRAPHQL_SDL is the schema, for specs that validate their documents against it.
 */
import { createServer, type Server } from 'node:http'
import { buildSchema, GraphQLError } from 'graphql'
import { createHandler } from 'graphql-http/lib/use/http'
import { useServer } from 'graphql-ws/use/ws'
import { WebSocketServer } from 'ws'
import { gapMs } from '../wire/mock-controls.js'
import { answerPieces, answerWords, countWords, DEFAULT_ANSWER_TOKENS } from '../wire/mock-text.js'

export const MOCK_GRAPHQL_SDL = `
type Usage { promptTokens: Int!, completionTokens: Int! }
type Completion { text: String!, finishReason: String!, model: String, usage: Usage! }
type CompletionChunk { delta: String!, finishReason: String }
input GenerateInput { prompt: String!, model: String, maxTokens: Int }
type Query { complete(prompt: String!, model: String, maxTokens: Int): Completion! }
type Mutation { generate(input: GenerateInput!): Completion! }
type Subscription { completeStream(prompt: String!, model: String, maxTokens: Int): CompletionChunk! }
`

export interface GraphqlMockOptions {
  host: string
  port: number
  latencyMs: number
  tokensPerSecond: number
}

export interface GraphqlMock {
  readonly port: number
  /** http://host:port/graphql (subscriptions: the same with ws://). */
  readonly url: string
  readonly stats: { calls: number; cancelled: number }
  close(): Promise<void>
}

interface Args {
  prompt: string
  model?: string | null
  maxTokens?: number | null
}

const FAIL = /mock-fail:([A-Z_]+)/
// unref: a pending answer never keeps a closed mock (or the test process) alive
const sleep = (ms: number): Promise<void> => (ms > 0 ? new Promise((r) => setTimeout(r, ms).unref()) : Promise.resolve())

function answer(a: Args): { pieces: string[]; finishReason: string; promptTokens: number } {
  const fail = FAIL.exec(a.prompt)?.[1]
  if (fail !== undefined) throw new GraphQLError(`mock failure ${fail}`, { extensions: { code: fail } })
  const max = typeof a.maxTokens === 'number' && a.maxTokens > 0 ? a.maxTokens : 0
  const n = max > 0 ? Math.min(max, DEFAULT_ANSWER_TOKENS) : DEFAULT_ANSWER_TOKENS
  return { pieces: answerPieces(answerWords(a.prompt, n)), finishReason: max > 0 && max < DEFAULT_ANSWER_TOKENS ? 'length' : 'stop', promptTokens: Math.max(1, countWords(a.prompt)) }
}

export async function startGraphqlMock(o: GraphqlMockOptions): Promise<GraphqlMock> {
  const schema = buildSchema(MOCK_GRAPHQL_SDL)
  const stats = { calls: 0, cancelled: 0 }
  const gap = gapMs(o.tokensPerSecond)
  const complete = async (a: Args) => {
    stats.calls++
    await sleep(o.latencyMs)
    const r = answer(a)
    return { text: r.pieces.join(''), finishReason: r.finishReason, model: a.model ?? 'mock-1', usage: { promptTokens: r.promptTokens, completionTokens: r.pieces.length } }
  }
  const rootValue = {
    complete,
    generate: ({ input }: { input: Args }) => complete(input),
  }
  const subscription = {
    async *completeStream(a: Args) {
      stats.calls++
      let finished = false
      try {
        await sleep(o.latencyMs)
        const r = answer(a)
        for (const p of r.pieces) {
          yield { completeStream: { delta: p, finishReason: null } }
          if (gap > 0) await sleep(gap)
        }
        finished = true
        yield { completeStream: { delta: '', finishReason: r.finishReason } }
      } finally {
        if (!finished) stats.cancelled++
      }
    },
  }
  const handler = createHandler({ schema, rootValue })
  const server: Server = createServer((req, res) => {
    if (req.url?.split('?')[0] !== '/graphql') {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"errors":[{"message":"not found: use /graphql"}]}')
      return
    }
    handler(req, res).catch(() => res.writeHead(500).end())
  })
  const wss = new WebSocketServer({ server, path: '/graphql' })
  const ws = useServer({ schema, roots: { query: rootValue, mutation: rootValue, subscription } }, wss)
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(o.port, o.host, () => resolve())
  })
  const addr = server.address()
  const port = typeof addr === 'object' && addr ? addr.port : o.port
  return {
    port,
    url: `http://${o.host.includes(':') ? `[${o.host}]` : o.host}:${port}/graphql`,
    stats,
    close: async () => {
      await ws.dispose()
      await new Promise<void>((resolve) => wss.close(() => resolve()))
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
