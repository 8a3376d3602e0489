/** A CallContext for stage unit tests: no server, settle steps run by end(). */
import type { CallContext, CallEnd, Caller } from '../core/pipeline.js'
import type { Endpoint, Exchange } from '../core/types.js'

export interface FakeCall extends CallContext {
  end(e?: Partial<CallEnd>): void
}

export function fakeCall(opts: {
  body: Record<string, unknown>
  endpoint?: Endpoint
  model?: string
  headers?: Record<string, string>
  ip?: string
  keyId?: string
}): FakeCall {
  const ends: Array<(e: CallEnd) => void> = []
  const ex: Exchange = {
    id: 'req-1', method: 'POST', path: '/v1/chat/completions', query: '', ip: opts.ip ?? '127.0.0.1',
    headers: opts.headers ?? {}, signal: new AbortController().signal, receivedAt: performance.now(), body: new Uint8Array(),
  }
  const caller: Caller | undefined = opts.keyId === undefined ? undefined : { keyId: opts.keyId, metadata: {}, allows: () => true }
  return {
    ex, endpoint: opts.endpoint ?? 'chat', body: opts.body, model: opts.model ?? String(opts.body.model ?? 'm'),
    stream: false, caller, headers: [],
    reservedTokens: () => 0, reservedCostUsd: () => 0,
    onEnd: (fn) => void ends.push(fn),
    end: (e = {}) => { for (const fn of ends.splice(0)) fn({ status: 200, usage: undefined, costUsd: 0, errorCode: undefined, ...e }) },
  }
}
