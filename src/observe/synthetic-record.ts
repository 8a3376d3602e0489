/** Synthetic RequestRecords (SPEC §3 observability) for observe/ tests and bench/observe micro benchmarks. */
import type { RequestRecord } from '../core/pipeline.js'

const BASE: RequestRecord = {
  time: Date.UTC(2026, 0, 1),
  requestId: 'req-0001',
  keyId: 'team-a',
  ip: '127.0.0.1',
  method: 'POST',
  path: '/v1/chat/completions',
  endpoint: 'chat',
  modelAsked: 'gpt-4o',
  model: 'gpt-4o',
  provider: 'openai',
  upstreamModel: 'gpt-4o-2024-08-06',
  status: 200,
  errorCode: undefined,
  attempts: 1,
  cache: undefined,
  variant: undefined,
  stream: false,
  promptTokens: 12,
  completionTokens: 34,
  costUsd: 0.000_37,
  latencyMs: 250,
  upstreamLatencyMs: 240,
  ttftMs: undefined,
}

/** A plausible finished request; override any field. */
export function syntheticRecord(over: Partial<RequestRecord> = {}): RequestRecord {
  return { ...BASE, ...over }
}
