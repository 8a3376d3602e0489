/** `llmgw mock --grpc-port N --graphql-port N` (issue 12): the gRPC and GraphQL listeners beside the HTTP mock. */
import { UsageError } from './exit-codes.js'

export interface ProtocolMockOptions {
  host: string
  grpcPort?: number
  graphqlPort?: number
  latencyMs: number
  tokensPerSecond: number
}

export interface ProtocolMocks {
  /** One line per listener, for stdout. */
  lines: string[]
  close(): Promise<void>
}

const checkPort = (flag: string, p: number | undefined): void => {
  if (p !== undefined && (!Number.isInteger(p) || p < 0 || p > 65535)) throw new UsageError(`${flag}: ${p} is not a port number`)
}

/** Validates the flags (a UsageError before anything listens), then starts the listeners asked for. */
export function checkProtocolFlags(o: Pick<ProtocolMockOptions, 'grpcPort' | 'graphqlPort'>): void {
  checkPort('--grpc-port', o.grpcPort)
  checkPort('--graphql-port', o.graphqlPort)
}

export async function startProtocolMocks(o: ProtocolMockOptions): Promise<ProtocolMocks> {
  const lines: string[] = []
  const closers: Array<() => Promise<void>> = []
  const pace = { host: o.host, latencyMs: o.latencyMs, tokensPerSecond: o.tokensPerSecond }
  try {
    if (o.grpcPort !== undefined) {
      const { startGrpcMock } = await import('../mock/grpc.js')
      const g = await startGrpcMock({ ...pace, port: o.grpcPort })
      closers.push(() => g.close())
      lines.push(`llmgw mock gRPC (kserve-v2, tgis) listening on ${g.url}`)
    }
    if (o.graphqlPort !== undefined) {
      const { startGraphqlMock } = await import('../mock/graphql.js')
      const q = await startGraphqlMock({ ...pace, port: o.graphqlPort })
      closers.push(() => q.close())
      lines.push(`llmgw mock GraphQL listening on ${q.url}`)
    }
  } catch (e) {
    await Promise.all(closers.map((c) => c()))
    throw e
  }
  return { lines, close: async () => void (await Promise.all(closers.map((c) => c()))) }
}
