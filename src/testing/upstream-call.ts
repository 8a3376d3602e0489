/** Provider-test helpers: an UpstreamCall with defaults, and an AttemptSink that keeps what it was given. */
import type { Usage } from '../core/types.js'
import { Secret } from '../core/secret.js'
import { startMockServer } from '../mock/server.js'
import { createProviderClient } from '../providers/index.js'
import type { AttemptSink, UpstreamCall } from '../providers/types.js'

/** A non-streamed OpenAI-format chat attempt of `body`, 5 s timeout; override any field. */
export function upstreamCall(body: Record<string, unknown>, o: Partial<UpstreamCall> = {}): UpstreamCall {
  // a request's body is its own (adapters set stream fields on it in place): never share one between calls
  return { endpoint: 'chat', body: structuredClone(body), stream: false, clientWantsUsage: false, signal: new AbortController().signal, timeoutMs: 5000, clientFormat: 'openai', ...o, ...(o.body ? { body: structuredClone(o.body) } : {}) }
}

export interface RecordingSink extends AttemptSink {
  readonly parts: string[]
  begun: boolean
  contentType: string | undefined
  /** What the adapter reported through partial() (a stream cut short). */
  partials: Array<Promise<Usage | undefined>>
  text(): string
}

export function recordingSink(): RecordingSink {
  const parts: string[] = []
  const s: RecordingSink = {
    parts,
    begun: false,
    contentType: undefined,
    begin(ct) {
      s.begun = true
      s.contentType = ct
    },
    chunk(b) {
      parts.push(typeof b === 'string' ? b : Buffer.from(b).toString('utf8'))
      return true
    },
    drained: () => Promise.resolve(),
    partials: [],
    partial(u) {
      s.partials.push(u)
    },
    text: () => parts.join(''),
  }
  return s
}

/** An anthropic provider client against a fresh `llmgw mock` (its /v1/messages), both closed after the test. */
export async function startAnthropicUpstream(t: { after(fn: () => unknown): void }) {
  const m = await startMockServer({})
  const c = createProviderClient({ name: 'claude', type: 'anthropic', baseUrl: m.url, apiKey: new Secret('sk-ant-test'), headers: {}, timeoutMs: 5000, connections: 2 })
  t.after(async () => {
    await c.close()
    await m.close()
  })
  return { m, c }
}
