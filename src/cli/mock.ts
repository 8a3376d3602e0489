/** `llmgw mock` (SPEC §2): a standalone mock LLM provider; one stdout line with its URL, serves until SIGINT/SIGTERM. */
import { exitWithParent } from '../bench/parent-link.js'
import { parseDuration } from '../core/duration.js'
import { EXIT, UsageError } from './exit-codes.js'

export interface MockCliOptions {
  host: string
  port: number
  latency: string
  tokensPerSecond: number
  failRate: string
  grpcPort?: number
  graphqlPort?: number
}

/** Validates the flags (bad ones are a UsageError: exit 2), starts the server, resolves 0 after a signal closed it. */
export async function runMock(o: MockCliOptions): Promise<number> {
  const latencyMs = parseDuration(/^\d+(\.\d+)?$/.test(o.latency) ? Number(o.latency) : o.latency)
  if (latencyMs === undefined) throw new UsageError(`--latency: '${o.latency}' is not a duration (e.g. 20ms, 1s)`)
  const failRate = Number(o.failRate)
  if (o.failRate.trim() === '' || !Number.isFinite(failRate) || failRate < 0 || failRate > 1) {
    throw new UsageError(`--fail-rate: '${o.failRate}' must be a number from 0.0 to 1.0`)
  }
  if (!Number.isInteger(o.port) || o.port < 0 || o.port > 65535) throw new UsageError(`--port: ${o.port} is not a port number`)
  if (!Number.isFinite(o.tokensPerSecond) || o.tokensPerSecond < 0) throw new UsageError('--tokens-per-second must be 0 or more')

  const { checkProtocolFlags, startProtocolMocks } = await import('./mock-protocols.js')
  checkProtocolFlags(o)

  const { startMockServer } = await import('../mock/server.js')
  let server
  let protocols
  try {
    server = await startMockServer({ host: o.host, port: o.port, latencyMs, tokensPerSecond: o.tokensPerSecond, failRate })
    const http = server
    protocols = await startProtocolMocks({ ...o, latencyMs }).catch(async (e: unknown) => {
      await http.close()
      throw e
    })
  } catch (e) {
    process.stderr.write(`llmgw mock: ${e instanceof Error ? e.message : String(e)}\n`)
    return EXIT.failure
  }
  process.stdout.write(`llmgw mock listening on ${server.url}\n`)
  for (const line of protocols.lines) process.stdout.write(`${line}\n`)
  const [httpMock, extra] = [server, protocols]
  const s = { close: async () => void (await Promise.all([httpMock.close(), extra.close()])) }
  await new Promise<void>((resolve) => {
    let stopping = false
    const stop = (): void => {
      if (stopping) return
      stopping = true
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
      void s.close().then(resolve, resolve)
    }
    process.on('SIGINT', stop)
    process.on('SIGTERM', stop)
    // Started by `llmgw bench`/`profile`: stop when that parent is gone, even after a SIGKILL.
    exitWithParent(stop)
  })
  return EXIT.ok
}
