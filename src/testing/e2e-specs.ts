/** Specs and clients the e2e tests share: a gateway over `llmgw mock` (external) and the in-process mock provider. */
import type { TestContext } from 'node:test'
import OpenAI from 'openai'
import { startTestGateway, startTestMock, type TestGateway } from './harness.js'
import type { MockServer } from '../mock/server.js'

/** Headers the e2e gateway forwards upstream, so each request can ask the mock for a failure or a speed. */
export const MOCK_FORWARD = ['x-mock-latency', 'x-mock-tokens-per-second', 'x-mock-answer-tokens', 'x-mock-fail', 'x-mock-tool']

/** Models: ext (external mock), sim (in-process), plus anything `extra` adds. */
export function mockSpec(mockUrl: string, extra: { providers?: object[]; models?: object[]; server?: object } = {}): object {
  return {
    version: 1,
    server: { sseKeepalive: 0, ...extra.server },
    providers: [
      { name: 'ext', type: 'openai', baseUrl: `${mockUrl}/v1`, apiKey: 'sk-upstream-secret', timeout: '5s' },
      { name: 'sim', type: 'mock', mock: { latency: '1ms' } },
      ...(extra.providers ?? []),
    ],
    models: [
      { name: 'ext-model', targets: [{ provider: 'ext', model: 'mock-upstream' }] },
      { name: 'sim-model', targets: [{ provider: 'sim', model: 'mock-1' }] },
      ...(extra.models ?? []),
    ],
  }
}

export interface E2E {
  mock: MockServer
  gw: TestGateway
  client: OpenAI
}

export async function startE2E(t: TestContext, extra: Parameters<typeof mockSpec>[1] = {}, mockOpts: { latencyMs?: number; tokensPerSecond?: number } = {}): Promise<E2E> {
  const mock = await startTestMock({ t, latencyMs: 0, ...mockOpts })
  const gw = await startTestGateway(mockSpec(mock.url, extra), { t, compileDeps: { forwardHeaders: MOCK_FORWARD } })
  const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'client-key', maxRetries: 0, timeout: 10_000 })
  return { mock, gw, client }
}
