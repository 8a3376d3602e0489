/**
 * Per-request knobs of the mock (SPEC §2 `mock`), so tests provoke each upstream failure deterministically:
 *   x-mock-latency: 200ms          delay before the first byte (default: the server's --latency)
 *   x-mock-tokens-per-second: 50   streaming speed, 0 = as fast as possible (default: --tokens-per-second)
 *   x-mock-answer-tokens: 500      answer length before max_tokens applies (default 20)
 *   x-mock-fail: 500 | 429 | hang | reset | bad-json | bad-sse
 *      500, 429   error JSON with that status (429 carries retry-after: 1)
 *      hang       never answers (until the client aborts: counted in /_mock/stats)
 *      reset      sends 200, headers and part of the body, then closes the connection
 *      bad-json   200 application/json with a truncated JSON body
 *      bad-sse    200 text/event-stream: one good chunk, one that is not JSON, no [DONE]
 *   x-mock-tool: get_weather | all | none
 *      with tools offered: call that tool (arguments valid against its schema), every tool, or none (answer text);
 *      without the header the request decides (tool_choice, then the rule in wire/mock-plan.ts)
 * --fail-rate answers that share of requests with 500 when no x-mock-fail is given.
 */
import { parseDuration } from '../core/duration.js'
export interface MockSettings {
  latencyMs: number
  /** 0 = as fast as possible. */
  tokensPerSecond: number
  /** 0.0 - 1.0: share of requests answered with 500. */
  failRate: number
}
import { type MockAnswer, type MockEndpoint, mockErrorAnswer } from './mock-answer.js'

export type MockFailure = 'none' | '500' | '429' | 'hang' | 'reset' | 'bad-json' | 'bad-sse'
const FAILURES = new Set<MockFailure>(['500', '429', 'hang', 'reset', 'bad-json', 'bad-sse'])

export interface MockControls {
  readonly latencyMs: number
  readonly tokensPerSecond: number
  readonly answerTokens: number | undefined
  readonly fail: MockFailure
  readonly tool: string | undefined
}

/** The header names above, for copying them off a request. */
export const MOCK_HEADERS = ['x-mock-latency', 'x-mock-tokens-per-second', 'x-mock-answer-tokens', 'x-mock-fail', 'x-mock-tool'] as const
const MAX_ANSWER_TOKENS = 100_000

export function parseMockControls(get: (name: string) => string | undefined, d: MockSettings, random: () => number = Math.random): MockControls {
  const lat = get('x-mock-latency')
  const tps = Number(get('x-mock-tokens-per-second'))
  const ans = Number(get('x-mock-answer-tokens'))
  const f = get('x-mock-fail') as MockFailure | undefined
  return {
    latencyMs: (lat ? parseDuration(/^\d+(\.\d+)?$/.test(lat) ? Number(lat) : lat) : undefined) ?? d.latencyMs,
    tokensPerSecond: Number.isFinite(tps) && tps >= 0 && get('x-mock-tokens-per-second') ? tps : d.tokensPerSecond,
    answerTokens: Number.isInteger(ans) && ans >= 0 && get('x-mock-answer-tokens') ? Math.min(ans, MAX_ANSWER_TOKENS) : undefined,
    fail: f && FAILURES.has(f) ? f : d.failRate > 0 && random() < d.failRate ? '500' : 'none',
    tool: get('x-mock-tool') || undefined,
  }
}

/** The answer after an injected failure replaced it (hang/reset are played out by the caller, on the real answer). */
export function applyFailure(endpoint: MockEndpoint, fail: MockFailure, answer: MockAnswer): MockAnswer {
  switch (fail) {
    case '500':
      return mockErrorAnswer(endpoint, 500, 'mock: injected upstream failure')
    case '429':
      return mockErrorAnswer(endpoint, 429, 'mock: injected rate limit', [['retry-after', '1']])
    case 'bad-json':
      return { ...answer, status: 200, contentType: 'application/json', stream: false, parts: ['{"id":"chatcmpl-broken","object":"chat.completion","choices":[{"index":0,'] }
    case 'bad-sse': {
      const good = answer.stream && answer.parts[0] ? answer.parts[0] : 'data: {"id":"chatcmpl-broken","object":"chat.completion.chunk","created":0,"model":"mock-1","choices":[]}\n\n'
      return { ...answer, status: 200, contentType: 'text/event-stream', stream: true, parts: [good, 'data: {"choices":[{"delta":{"content":"brok\n\n'] }
    }
    default:
      return answer
  }
}

/** Delay between stream parts for a speed (0 = none). */
export const gapMs = (tokensPerSecond: number): number => (tokensPerSecond > 0 ? 1000 / tokensPerSecond : 0)
