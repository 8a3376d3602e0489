/**
 * `type: grpc` (issue 12) end to end: the official openai SDK -> llmgw serve -> a real @grpc/grpc-js server (the
 * `llmgw mock --grpc-port` listener) for the kserve-v2 and tgis presets and a generic proto + mapping.
 */
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import OpenAI from 'openai'
import { packageRoot } from '../core/package-root.js'
import { startGrpcMock, type GrpcMock } from '../mock/grpc.js'
import { startTestGateway, type TestGateway } from '../testing/harness.js'
import { until } from '../testing/until.js'

async function grpcMock(t: TestContext, tokensPerSecond = 0): Promise<GrpcMock> {
  const m = await startGrpcMock({ host: '127.0.0.1', port: 0, latencyMs: 0, tokensPerSecond })
  t.after(() => m.close())
  return m
}

/** One model per provider: `kserve`, `tgis` (and whatever extra providers a test adds). */
async function gateway(t: TestContext, providers: object[]): Promise<{ gw: TestGateway; client: OpenAI }> {
  const spec = {
    version: 1,
    providers,
    models: providers.map((p) => ({ name: (p as { name: string }).name, targets: [{ provider: (p as { name: string }).name, model: 'ensemble' }] })),
  }
  const gw = await startTestGateway(spec, { t })
  return { gw, client: new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'unused', maxRetries: 0 }) }
}

const presets = (url: string) => [
  { name: 'kserve', type: 'grpc', baseUrl: url, timeout: '5s', grpc: { preset: 'kserve-v2' } },
  { name: 'tgis', type: 'grpc', baseUrl: url, timeout: '5s', grpc: { preset: 'tgis' } },
]

for (const model of ['kserve', 'tgis']) {
  test(`${model} preset: chat non-stream and stream through the gateway`, async (t) => {
    const mock = await grpcMock(t)
    const { client } = await gateway(t, presets(mock.url))
    const r = await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'tell me about grpc' }] })
    const text = r.choices[0]!.message.content ?? ''
    assert.ok(text.split(' ').length >= 10, `a whole answer: ${text}`)
    assert.equal(r.choices[0]!.finish_reason, 'stop')
    assert.ok(r.usage!.prompt_tokens > 0 && r.usage!.completion_tokens > 0)

    const s = await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'tell me about grpc' }], stream: true, stream_options: { include_usage: true } })
    let streamed = ''
    let chunks = 0
    let usage: OpenAI.CompletionUsage | undefined
    for await (const c of s) {
      chunks++
      streamed += c.choices[0]?.delta.content ?? ''
      if (c.usage) usage = c.usage
    }
    assert.equal(streamed, text, 'the stream carries the same answer as the unary call')
    assert.ok(chunks > 5, `relayed piece by piece (${chunks} chunks)`)
    assert.ok(usage && usage.completion_tokens > 0)

    const limited = await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'tell me about grpc' }], max_tokens: 3 })
    assert.equal(limited.choices[0]!.message.content!.split(' ').length, 3, 'max_tokens reached the server')
    if (model === 'tgis') assert.equal(limited.choices[0]!.finish_reason, 'length', 'TGIS MAX_TOKENS -> length')
  })
}

test('completions endpoint through the tgis preset', async (t) => {
  const mock = await grpcMock(t)
  const { client } = await gateway(t, presets(mock.url))
  const r = await client.completions.create({ model: 'tgis', prompt: 'once upon a time' })
  assert.ok((r.choices[0]!.text ?? '').length > 10)
  assert.equal(r.object, 'text_completion')
})

test('generic proto + mapping: request fields from the chat, answer fields back', async (t) => {
  const mock = await grpcMock(t)
  // the TGIS proto used generically: the mapping is the user's, nothing preset
  const proto = join(packageRoot(), 'fixtures/protos/tgis/generation.proto')
  const generic = {
    name: 'generic',
    type: 'grpc',
    baseUrl: mock.url,
    timeout: '5s',
    grpc: {
      proto,
      service: 'fmaas.GenerationService',
      method: 'Generate',
      streamMethod: 'GenerateStream',
      request: { model_id: 'model', 'requests.0.text': 'lastMessage', 'params.stopping.max_new_tokens': 'max_tokens' },
      streamRequest: { model_id: 'model', 'request.text': 'lastMessage', 'params.stopping.max_new_tokens': 'max_tokens' },
      response: { text: 'responses.0.text', finishReason: 'responses.0.stop_reason', promptTokens: 'responses.0.input_token_count', completionTokens: 'responses.0.generated_token_count' },
      streamResponse: { text: 'text', finishReason: 'stop_reason' },
    },
  }
  const { client } = await gateway(t, [generic])
  const r = await client.chat.completions.create({ model: 'generic', messages: [{ role: 'user', content: 'hello' }], max_tokens: 4 })
  assert.equal(r.choices[0]!.message.content!.split(' ').length, 4)
  assert.equal(r.choices[0]!.finish_reason, 'length')
  assert.equal(r.usage!.completion_tokens, 4, 'usage read through the mapped paths')
  let streamed = ''
  for await (const c of await client.chat.completions.create({ model: 'generic', messages: [{ role: 'user', content: 'hello' }], max_tokens: 4, stream: true })) streamed += c.choices[0]?.delta.content ?? ''
  assert.equal(streamed, r.choices[0]!.message.content)
})

test('client abort cancels the gRPC stream on the server', async (t) => {
  const mock = await grpcMock(t, 10)
  const { client } = await gateway(t, presets(mock.url))
  for (const model of ['kserve', 'tgis']) {
    const before = mock.stats.cancelled
    const ac = new AbortController()
    const s = await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'slow please' }], stream: true }, { signal: ac.signal })
    let n = 0
    let pieces = 0
    // the SDK ends the iteration quietly on abort
    for await (const c of s) {
      if ((c.choices[0]?.delta.content ?? '') !== '') pieces++
      if (pieces === 2 && ++n === 1) ac.abort()
    }
    assert.ok(pieces < 20, `the stream stopped early (${pieces} pieces of 20)`)
    await until(`${model}: the server sees the cancel`, async () => mock.stats.cancelled > before)
  }
})

test('gRPC statuses map to SPEC errors; an unreachable server is a connect failure', async (t) => {
  const mock = await grpcMock(t)
  const down = { name: 'down', type: 'grpc', baseUrl: 'http://127.0.0.1:1', timeout: '2s', grpc: { preset: 'tgis' } }
  const { client } = await gateway(t, [...presets(mock.url), down])
  const fail = async (model: string, content: string): Promise<InstanceType<typeof OpenAI.APIError>> => {
    try {
      await client.chat.completions.create({ model, messages: [{ role: 'user', content }] })
    } catch (e) {
      assert.ok(e instanceof OpenAI.APIError)
      return e
    }
    assert.fail('expected an error')
  }
  const cases: Array<[string, number, string]> = [
    ['mock-fail:UNAVAILABLE', 502, 'upstream_error'],
    ['mock-fail:DEADLINE_EXCEEDED', 504, 'upstream_timeout'],
    ['mock-fail:INVALID_ARGUMENT', 400, 'invalid_request'],
    ['mock-fail:RESOURCE_EXHAUSTED', 502, 'upstream_error'],
    ['mock-fail:INTERNAL', 502, 'upstream_error'],
  ]
  for (const [content, status, code] of cases) {
    const e = await fail('tgis', content)
    assert.equal(e.status, status, content)
    assert.equal(e.code, code, content)
  }
  const e = await fail('down', 'hi')
  assert.equal(e.status, 502)
  assert.doesNotMatch(e.message, /127\.0\.0\.1/, 'no address in the client message')
  // a stream that fails before its first message is still an error response, not a broken stream
  await assert.rejects(client.chat.completions.create({ model: 'kserve', messages: [{ role: 'user', content: 'mock-fail:INTERNAL' }], stream: true }), (err: unknown) => err instanceof OpenAI.APIError && err.status === 502)
})
