/** Real clients whose default path is /v1/responses (issue 11): the Vercel AI SDK's `openai('…')` and `@openai/agents`. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createOpenAI } from '@ai-sdk/openai'
import { generateText, streamText } from 'ai'
import OpenAI from 'openai'
import { startE2E } from '../testing/e2e-specs.js'

test('Vercel AI SDK generateText and streamText with the default openai(model): answered over /v1/responses', async (t) => {
  const { gw, mock } = await startE2E(t, {})
  const paths: string[] = []
  const openai = createOpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'client-key', fetch: (url, init) => (paths.push(new URL(String(url)).pathname), fetch(url, init)) })
  const before = mock.stats().requests
  const g = await generateText({ model: openai('ext-model'), prompt: 'Say hello', maxRetries: 0 })
  assert.ok(g.text.length > 0)
  assert.ok((g.usage.inputTokens ?? 0) > 0 && (g.usage.outputTokens ?? 0) > 0, 'usage read from the Responses object')
  assert.equal(g.response.headers?.['x-llmgw-provider'], 'ext')
  const s = streamText({ model: openai('ext-model'), prompt: 'Say hello', maxRetries: 0 })
  let text = ''
  for await (const part of s.textStream) text += part
  assert.ok(text.length > 0)
  assert.ok(((await s.usage).outputTokens ?? 0) > 0)
  assert.equal(mock.stats().requests - before, 2, 'one upstream call each')
  assert.deepEqual(paths, ['/v1/responses', '/v1/responses'])
})

test('@openai/agents: a default run answers through /v1/responses', async (t) => {
  const { gw } = await startE2E(t, {})
  const { Agent, run, setDefaultOpenAIClient, setTracingDisabled } = await import('@openai/agents')
  setTracingDisabled(true)
  setDefaultOpenAIClient(new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'client-key', maxRetries: 0 }))
  const agent = new Agent({ name: 'greeter', instructions: 'Be brief.', model: 'ext-model' })
  const result = await run(agent, 'Say hello')
  assert.equal(typeof result.finalOutput, 'string')
  assert.ok(String(result.finalOutput).length > 0)
})
