/** The real clients against `llmgw mock` itself (src/testing/client-suites.ts): Responses API, AI SDK, Agents SDK, Anthropic SDK. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { startTestMock } from '../testing/harness.js'
import * as suites from '../testing/client-suites.js'

for (const [name, run] of Object.entries(suites)) {
  if (typeof run !== 'function') continue
  test(`llmgw mock serves ${name}`, async (t) => {
    const mock = await startTestMock({ t })
    await run({ baseUrl: mock.url, model: 'mock-1' })
    assert.ok(mock.stats().requests > 0, 'the client reached the mock')
  })
}
