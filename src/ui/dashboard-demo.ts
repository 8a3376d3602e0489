/** Fake DashboardData for the `serve` dashboard's tests and its tmux check (SPEC §2 serve). */
import type { DashboardData } from '../observe/snapshot.js'

/** A busy gateway: two models, an open breaker, a failed reload, two recent errors. */
export function demoDashboardData(now: number = Date.now()): DashboardData {
  return {
    listenUrl: 'http://127.0.0.1:8080',
    specFile: 'llmgw.config.yaml',
    version: '3f9a1c0d2e4b5a6c',
    lastReload: { result: 'error', at: now - 12_000, message: 'llmgw.config.yaml:14:7 unknown provider "opnai"' },
    uptimeMs: 3_723_000,
    totalRequests: 1_234_567,
    requestsPerSec: 842.5,
    p50Ms: 180,
    p99Ms: 2400,
    errorRate: 0.004,
    clientErrorRate: 0.021,
    inflight: 37,
    models: [
      { name: 'gpt-4o', requestsPerSec: 700.2, p99Ms: 2100, tokensPerSec: 41_000, costUsd: 123.4567 },
      { name: 'claude-sonnet', requestsPerSec: 142.3, p99Ms: 3300, tokensPerSec: 9_800, costUsd: 0.5 },
    ],
    providers: [
      { name: 'openai', breaker: 'closed', queueDepth: 0, inflight: 30 },
      { name: 'claude', breaker: 'open', queueDepth: 12, inflight: 7 },
    ],
    errors: [
      { time: now - 2000, requestId: 'req-7f3a', status: 503, code: 'upstream_unavailable', model: 'claude-sonnet', path: '/v1/chat/completions' },
      { time: now - 5000, requestId: 'req-19bc', status: 429, code: 'rate_limit_exceeded', model: 'gpt-4o', path: '/v1/chat/completions' },
    ],
  }
}
