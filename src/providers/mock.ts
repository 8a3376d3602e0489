/**
 * `type: mock` (SPEC §3 providers[].mock): the in-process mock. No sockets: the answer is generated straight into the
 * AttemptSink, byte for byte what `llmgw mock` sends, honouring latency, tokens-per-second and fail rate.
 */
import type { Cancellation } from '../core/cancel.js'
import { GatewayError } from '../core/errors.js'
import type { Usage } from '../core/types.js'
import { generateMockAnswer, type MockEndpoint } from '../wire/mock-answer.js'
import { applyFailure, gapMs, type MockSettings, parseMockControls } from '../wire/mock-controls.js'
import { isObject } from '../wire/openai.js'
import type { ProviderConfig } from './config.js'
import type { AttemptResult, AttemptSink, ProviderClient, UpstreamCall } from './types.js'
import { clampTimeout } from './http.js'
import { AttemptTimeout, badUpstream, mapStatusError, mapTransportError, streamTimedOut } from './upstream-errors.js'

const NO_DELAY: MockSettings = { latencyMs: 0, tokensPerSecond: 0, failRate: 0 }
const identity = (s: string): string => s

/** Waits ms, or rejects at once when the call is aborted (timers cleared: abort stops generation immediately). */
function sleep(ms: number, signal: Cancellation, onAbort: () => GatewayError): Promise<void> {
  if (signal.aborted) return Promise.reject(onAbort())
  if (ms <= 0) return Promise.resolve()
  return new Promise((resolve, reject) => {
    const abort = (): void => {
      clearTimeout(t)
      reject(onAbort())
    }
    const t = setTimeout(() => {
      signal.removeEventListener('abort', abort)
      resolve()
    }, ms)
    signal.addEventListener('abort', abort, { once: true })
  })
}

/** The share of a generated answer's usage that `sent` of its `n` parts carried (at least one completion token). */
function partialUsage(u: Usage, sent: number, n: number): Usage {
  const completion = Math.max(1, Math.min(u.completion_tokens, Math.round((u.completion_tokens * sent) / n)))
  return { prompt_tokens: u.prompt_tokens, completion_tokens: completion, total_tokens: u.prompt_tokens + completion }
}

export function createMockClient(cfg: ProviderConfig): ProviderClient {
  const name = cfg.name
  const settings = cfg.mock ?? NO_DELAY
  const aborted = (signal: Cancellation) => (): GatewayError =>
    signal.reason instanceof GatewayError ? signal.reason : new GatewayError('upstream_error', `provider ${name}: request aborted by the client`)
  const timeout = (): GatewayError => mapTransportError(name, new AttemptTimeout('attempt timeout'))

  async function call(req: UpstreamCall, sink: AttemptSink): Promise<AttemptResult> {
    const started = performance.now()
    const onAbort = aborted(req.signal)
    const c = parseMockControls((h) => req.headers?.[h], settings)
    const endpoint: MockEndpoint = req.clientFormat === 'anthropic' && (req.endpoint === 'chat' || req.endpoint === 'messages') ? 'messages' : (req.endpoint as MockEndpoint)
    const body: Record<string, unknown> = { ...req.body, stream: req.stream }
    if (req.stream && endpoint !== 'messages') body.stream_options = { ...(isObject(req.body.stream_options) ? req.body.stream_options : {}), include_usage: req.clientWantsUsage }
    const generated = generateMockAnswer(endpoint, body, {
      ...(c.answerTokens === undefined ? {} : { answerTokens: c.answerTokens }),
      ...(c.tool === undefined ? {} : { tool: c.tool }),
      // an Anthropic client's request reaches the provider as the canonical chat body (answered in Anthropic's format)
      chatBody: endpoint === 'messages',
    })
    const a = generated.status === 200 ? applyFailure(endpoint, c.fail, generated) : generated
    const timeoutMs = clampTimeout(req.timeoutMs > 0 ? req.timeoutMs : cfg.timeoutMs)

    if (c.fail === 'hang' || c.latencyMs >= timeoutMs) {
      await sleep(timeoutMs, req.signal, onAbort)
      throw timeout()
    }
    await sleep(c.latencyMs, req.signal, onAbort)
    if (a.status !== 200) throw mapStatusError(name, a.status, Object.fromEntries(a.headers), a.parts[0] ?? '', identity)
    if (c.fail === 'bad-json') throw badUpstream(name, 'invalid JSON from upstream')

    sink.begin(a.contentType)
    const firstByteAt = performance.now()
    if (c.fail === 'reset') {
      sink.chunk(a.stream ? (a.parts[0] ?? '') : '')
      throw mapTransportError(name, Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))
    }
    const gap = gapMs(c.tokensPerSecond)
    const n = a.parts.length
    // the request's own timeout bounds the whole stream, as for a remote upstream (http.ts)
    const deadline = req.stream && req.streamBudgetMs !== undefined ? started + req.streamBudgetMs : Infinity
    let sent = 0
    try {
      for (let i = 0; i < n; i++) {
        if (req.signal.aborted) throw onAbort()
        if (performance.now() >= deadline) throw streamTimedOut(name)
        if (c.fail === 'bad-sse' && i === 1) throw badUpstream(name, 'broken SSE from upstream (an event is not JSON)')
        if (!sink.chunk(a.parts[i] as string)) await sink.drained()
        sent++
        if (gap > 0 && i < n - 1) await sleep(Math.min(gap, Math.max(0, deadline - performance.now())), req.signal, onAbort)
      }
      if (req.signal.aborted) throw onAbort()
    } catch (e) {
      // a stream cut short is paid for what was relayed: about one token per part sent (SPEC §7)
      if (a.stream && generated.usage) sink.partial?.(Promise.resolve(partialUsage(generated.usage, sent, n)))
      throw e
    }
    const model = typeof req.body.model === 'string' && req.body.model ? req.body.model : 'mock-1'
    return { usage: generated.usage, model, firstByteAt }
  }

  return { name, type: 'mock', call, close: () => Promise.resolve() }
}
