/**
 * `type: graphql` (issue 12) end to end: the official openai SDK -> llmgw serve -> a real graphql-http + graphql-ws
 * server (the `llmgw mock --graphql-port` listener): a query, a mutation, a subscription stream, GraphQL errors,
 * and a client abort completing the subscription on the server.
 */
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import OpenAI from 'openai'
import { startGraphqlMock, type GraphqlMock } from '../mock/graphql.js'
import { startTestGateway } from '../testing/harness.js'
import { until } from '../testing/until.js'

async function graphqlMock(t: TestContext, tokensPerSecond = 0): Promise<GraphqlMock> {
  const m = await startGraphqlMock({ host: '127.0.0.1', port: 0, latencyMs: 0, tokensPerSecond })
  t.after(() => m.close())
  return m
}

const QUERY = 'query Complete($prompt: String!, $max: Int, $model: String) { complete(prompt: $prompt, maxTokens: $max, model: $model) { text finishReason usage { promptTokens completionTokens } } }'
const MUTATION = 'mutation ($input: GenerateInput!) { generate(input: $input) { text finishReason } }'
const SUBSCRIPTION = 'subscription ($prompt: String!, $max: Int) { completeStream(prompt: $prompt, maxTokens: $max) { delta finishReason } }'

function providers(url: string): object[] {
  return [
    {
      name: 'gql',
      type: 'graphql',
      baseUrl: url,
      timeout: '5s',
      graphql: {
        document: QUERY,
        subscription: SUBSCRIPTION,
        variables: { prompt: 'lastMessage', max: 'max_tokens', model: 'model' },
        response: { text: 'complete.text', finishReason: 'complete.finishReason', promptTokens: 'complete.usage.promptTokens', completionTokens: 'complete.usage.completionTokens' },
        streamResponse: { text: 'completeStream.delta', finishReason: 'completeStream.finishReason' },
      },
    },
    {
      name: 'gql-mutation',
      type: 'graphql',
      baseUrl: url,
      timeout: '5s',
      graphql: { document: MUTATION, variables: { 'input.prompt': 'lastMessage', 'input.maxTokens': 'max_tokens' }, response: { text: 'generate.text', finishReason: 'generate.finishReason' } },
    },
  ]
}

async function start(t: TestContext, mock: GraphqlMock): Promise<OpenAI> {
  const ps = providers(mock.url)
  const spec = { version: 1, providers: ps, models: ps.map((p) => ({ name: (p as { name: string }).name, targets: [{ provider: (p as { name: string }).name, model: 'mock-1' }] })) }
  const gw = await startTestGateway(spec, { t })
  return new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'unused', maxRetries: 0 })
}

test('graphql query and subscription stream give the same answer', async (t) => {
  const mock = await graphqlMock(t)
  const client = await start(t, mock)
  const r = await client.chat.completions.create({ model: 'gql', messages: [{ role: 'user', content: 'tell me about graphql' }] })
  const text = r.choices[0]!.message.content ?? ''
  assert.ok(text.split(' ').length >= 10, text)
  assert.equal(r.usage!.completion_tokens, text.split(' ').length, 'usage read through the mapped paths')

  let streamed = ''
  let chunks = 0
  let usage: OpenAI.CompletionUsage | undefined
  for await (const c of await client.chat.completions.create({ model: 'gql', messages: [{ role: 'user', content: 'tell me about graphql' }], stream: true, stream_options: { include_usage: true } })) {
    chunks++
    streamed += c.choices[0]?.delta.content ?? ''
    if (c.usage) usage = c.usage
  }
  assert.equal(streamed, text)
  assert.ok(chunks > 5, `chunk by chunk (${chunks})`)
  assert.ok(usage && usage.completion_tokens > 0, 'a stream without upstream usage is counted, never zero')

  const limited = await client.chat.completions.create({ model: 'gql', messages: [{ role: 'user', content: 'x' }], max_tokens: 2 })
  assert.equal(limited.choices[0]!.finish_reason, 'length')
})

test('graphql mutation with nested input variables; stream: true without a subscription is one short stream', async (t) => {
  const mock = await graphqlMock(t)
  const client = await start(t, mock)
  const r = await client.chat.completions.create({ model: 'gql-mutation', messages: [{ role: 'user', content: 'hi' }], max_tokens: 3 })
  assert.equal(r.choices[0]!.message.content!.split(' ').length, 3)
  let streamed = ''
  for await (const c of await client.chat.completions.create({ model: 'gql-mutation', messages: [{ role: 'user', content: 'hi' }], max_tokens: 3, stream: true })) streamed += c.choices[0]?.delta.content ?? ''
  assert.equal(streamed, r.choices[0]!.message.content)
})

test('GraphQL errors map to SPEC errors, query and subscription alike', async (t) => {
  const mock = await graphqlMock(t)
  const client = await start(t, mock)
  const status = async (content: string, stream: boolean): Promise<[number | undefined, unknown]> => {
    try {
      const r = await client.chat.completions.create({ model: 'gql', messages: [{ role: 'user', content }], stream })
      if (stream) for await (const _ of r as AsyncIterable<unknown>) void _
    } catch (e) {
      assert.ok(e instanceof OpenAI.APIError, String(e))
      return [e.status, e.code]
    }
    return [200, undefined]
  }
  assert.deepEqual(await status('mock-fail:BAD_USER_INPUT', false), [400, 'invalid_request'])
  assert.deepEqual(await status('mock-fail:RESOLVER', false), [502, 'upstream_error'])
  assert.deepEqual(await status('mock-fail:RESOLVER', true), [502, 'upstream_error'])
})

test('client abort completes the subscription on the server', async (t) => {
  const mock = await graphqlMock(t, 10)
  const client = await start(t, mock)
  const ac = new AbortController()
  let pieces = 0
  for await (const c of await client.chat.completions.create({ model: 'gql', messages: [{ role: 'user', content: 'slow' }], stream: true }, { signal: ac.signal })) {
    if ((c.choices[0]?.delta.content ?? '') !== '') pieces++
    if (pieces === 2) ac.abort()
  }
  assert.ok(pieces < 20)
  await until('the server sees the subscription end early', async () => mock.stats.cancelled === 1)
})
