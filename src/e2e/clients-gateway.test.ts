/**
 * The real clients through the gateway (issue 11 "Must show"; suites in src/testing/client-suites.ts), to `llmgw mock`
 * and to the in-process mock, three ways: an OpenAI-compatible provider (Responses translated to chat and back), an
 * anthropic provider (Responses -> chat -> Anthropic Messages and back) and `type: mock` (Responses relayed natively).
 * The Anthropic SDK goes to an OpenAI-compatible target (Messages translated, count_tokens counted by the tokenizer)
 * and to the anthropic one (count_tokens relayed).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { TestContext } from 'node:test'
import { MOCK_FORWARD, mockSpec } from '../testing/e2e-specs.js'
import { startTestGateway, startTestMock } from '../testing/harness.js'
import * as suites from '../testing/client-suites.js'

type Suite = (t: suites.ClientTarget) => Promise<void>
const OPENAI_SUITES: Array<[string, Suite]> = [
  ['openai responses.create', suites.openaiResponsesPlain],
  ['openai responses stream', suites.openaiResponsesStream],
  ['openai function tool round trip', suites.openaiResponsesToolRoundTrip],
  ['openai responses.parse (json_schema)', suites.openaiResponsesParse],
  ['AI SDK generateText/streamText/tool loop', suites.aiSdkSuite],
  ['AI SDK generateObject', suites.aiSdkObject],
  ['AI SDK multi-turn (store: false)', suites.aiSdkMultiTurn],
  ['@openai/agents run() with a tool', suites.agentsRun],
]
/** model -> what it shows */
const TARGETS: Array<[string, string]> = [
  ['ext-model', 'an OpenAI-compatible provider (translated to chat)'],
  ['claude-model', 'an anthropic provider (translated to Messages)'],
  ['sim-model', 'the in-process mock provider (Responses relayed natively)'],
]
async function gateway(t: TestContext) {
  const mock = await startTestMock({ t })
  const gw = await startTestGateway(
    mockSpec(mock.url, {
      providers: [
        { name: 'claude', type: 'anthropic', baseUrl: mock.url, apiKey: 'sk-ant-upstream', timeout: '5s' },
      ],
      models: [
        { name: 'claude-model', targets: [{ provider: 'claude', model: 'mock-1' }] },
      ],
    }),
    { t, compileDeps: { forwardHeaders: MOCK_FORWARD } },
  )
  return { mock, gw, target: (model: string): suites.ClientTarget => ({ baseUrl: gw.url, model, apiKey: 'client-key' }) }
}

for (const [model, via] of TARGETS) {
  for (const [name, run] of OPENAI_SUITES) {
    test(`${name} through the gateway to ${via}`, async (t) => {
      const { mock, target } = await gateway(t)
      await run(target(model))
      if (model !== 'sim-model') assert.ok(mock.stats().requests > 0, 'answered by the mock behind the gateway')
    })
  }
}

for (const [model, via] of TARGETS) {
  test(`@anthropic-ai/sdk countTokens and a tool_use round trip through the gateway to ${via}`, async (t) => {
    const { mock, target } = await gateway(t)
    await suites.anthropicSuite(target(model))
    if (model !== 'sim-model') assert.ok(mock.stats().requests >= 3)
  })
}
