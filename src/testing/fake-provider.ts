/** A scripted ProviderClient for compiler tests: each call follows the next step (answer, fail, stream, hang). */
import type { Cancellation } from '../core/cancel.js'
import { GatewayError } from '../core/errors.js'
import type { AttemptResult, AttemptSink, ProviderClient, UpstreamCall } from '../providers/types.js'

export type FakeStep =
  | { kind: 'json'; body?: unknown; model?: string }
  | { kind: 'stream'; chunks: string[]; failAfter?: GatewayError; delayMs?: number }
  | { kind: 'fail'; error: GatewayError; delayMs?: number }
  | { kind: 'hang' }

export interface FakeProvider extends ProviderClient {
  readonly calls: UpstreamCall[]
  closed: boolean
}

export const upstreamFailure = (status: number): GatewayError =>
  new GatewayError(status === 504 ? 'upstream_timeout' : 'upstream_error', `upstream answered ${status}`, { retryClass: 'status', upstreamStatus: status })

const wait = (ms: number, signal: Cancellation): Promise<void> =>
  new Promise((resolve, reject) => {
    const t = setTimeout(resolve, ms)
    signal.addEventListener('abort', () => (clearTimeout(t), reject(new GatewayError('upstream_error', 'aborted'))), { once: true })
  })

/** Steps are used in order; the last one repeats. */
export function createFakeProvider(name: string, steps: FakeStep[]): FakeProvider {
  let i = 0
  const calls: UpstreamCall[] = []
  const fake: FakeProvider = {
    name,
    type: 'mock',
    calls,
    closed: false,
    async call(req: UpstreamCall, sink: AttemptSink): Promise<AttemptResult> {
      calls.push({ ...req, body: { ...req.body } })
      const step = steps[Math.min(i++, steps.length - 1)]!
      const usage = { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 }
      switch (step.kind) {
        case 'fail':
          if (step.delayMs) await wait(step.delayMs, req.signal)
          throw step.error
        case 'hang':
          // Like the real transport: the attempt's timeout ends the wait.
          await wait(req.timeoutMs, req.signal)
          throw new GatewayError('upstream_timeout', 'upstream timed out', { retryClass: 'timeout' })
        case 'json':
          sink.begin('application/json')
          sink.chunk(JSON.stringify(step.body ?? { id: 'x', object: 'chat.completion', model: req.body.model, usage }))
          return { usage, model: step.model, firstByteAt: performance.now() }
        case 'stream': {
          if (step.delayMs) await wait(step.delayMs, req.signal)
          sink.begin('text/event-stream')
          const first = performance.now()
          for (const c of step.chunks) if (!sink.chunk(`data: ${c}\n\n`)) await sink.drained()
          if (step.failAfter) throw step.failAfter
          sink.chunk('data: [DONE]\n\n')
          return { usage, model: undefined, firstByteAt: first }
        }
      }
    },
    async close() {
      fake.closed = true
    },
  }
  return fake
}
