/**
 * The generic `type: grpc` form (issue 12) with a user's own proto (fixtures/lint/grpc-mapping/chat.proto) and a
 * @grpc/grpc-js server written here: nested request fields, a list, a constant, static headers as metadata, usage and
 * finish read back, the server-streaming method relayed chunk by chunk.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import * as grpc from '@grpc/grpc-js'
import { loadSync } from '@grpc/proto-loader'
import OpenAI from 'openai'
import { packageRoot } from '../core/package-root.js'
import { startTestGateway } from '../testing/harness.js'

type Obj = Record<string, unknown>
const PROTO = join(packageRoot(), 'fixtures/lint/grpc-mapping/chat.proto')

test('a user proto: unary and server-streaming calls mapped both ways', async (t) => {
  const seen: Obj[] = []
  const tenants: string[] = []
  const def = grpc.loadPackageDefinition(loadSync(PROTO, { keepCase: true, defaults: true })) as unknown as { acme: { llm: { Chat: grpc.ServiceClientConstructor } } }
  const server = new grpc.Server()
  const answer = (req: Obj): string[] => `echo ${String(req.prompt).trim()}`.split(' ').map((w, i) => (i === 0 ? w : ` ${w}`))
  server.addService(def.acme.llm.Chat.service, {
    Complete: (call: grpc.ServerUnaryCall<Obj, Obj>, cb: grpc.sendUnaryData<Obj>) => {
      seen.push(call.request)
      tenants.push(String(call.metadata.get('x-tenant')[0]))
      const words = answer(call.request)
      cb(null, { text: words.join(''), finish: 'max_tokens', usage: { input: 11, output: words.length } })
    },
    CompleteStream: (call: grpc.ServerWritableStream<Obj, Obj>) => {
      seen.push(call.request)
      for (const w of answer(call.request)) call.write({ text: w })
      call.write({ text: '', finish: 'stop', usage: { input: 11, output: 3 } })
      call.end()
    },
  })
  const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))))
  t.after(() => server.forceShutdown())

  const gw = await startTestGateway(
    {
      version: 1,
      providers: [{
        name: 'acme', type: 'grpc', baseUrl: `http://127.0.0.1:${port}`, timeout: '5s', headers: { 'x-tenant': 'blue' },
        grpc: {
          proto: PROTO, service: 'acme.llm.Chat', method: 'Complete', streamMethod: 'CompleteStream',
          request: { model: 'model', prompt: 'lastMessage', 'options.max_tokens': 'max_tokens', 'options.stop': 'stop', tenant: { const: 'acme' } },
          response: { text: 'text', finishReason: 'finish', promptTokens: 'usage.input', completionTokens: 'usage.output' },
        },
      }],
      models: [{ name: 'acme', targets: [{ provider: 'acme', model: 'acme-large' }] }],
    },
    { t },
  )
  const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'unused', maxRetries: 0 })
  const r = await client.chat.completions.create({ model: 'acme', messages: [{ role: 'user', content: 'two words' }], max_tokens: 9, stop: ['\n'] })
  assert.equal(r.choices[0]!.message.content, 'echo two words')
  assert.equal(r.choices[0]!.finish_reason, 'length')
  assert.deepEqual([r.usage!.prompt_tokens, r.usage!.completion_tokens], [11, 3])
  assert.deepEqual(seen[0], { model: 'acme-large', prompt: 'two words', options: { max_tokens: 9, stop: ['\n'] }, tenant: 'acme' })
  assert.deepEqual(tenants, ['blue'], 'static headers are sent as metadata')

  const chunks: string[] = []
  let usage: OpenAI.CompletionUsage | undefined
  for await (const c of await client.chat.completions.create({ model: 'acme', messages: [{ role: 'user', content: 'two words' }], stream: true, stream_options: { include_usage: true } })) {
    if (c.choices[0]?.delta.content) chunks.push(c.choices[0].delta.content)
    if (c.usage) usage = c.usage
  }
  assert.deepEqual(chunks, ['echo', ' two', ' words'], 'one chunk per streamed message')
  assert.deepEqual([usage?.prompt_tokens, usage?.completion_tokens], [11, 3], "the stream's usage from its last message")
})
