/**
 * `type: grpc` (issue 12) at its edges: the attempt timeout as the call's deadline (504 upstream_timeout), retries
 * on UNAVAILABLE reaching a fallback, the apiKey as authorization metadata, and /v1/messages clients answered in
 * Anthropic's format from a gRPC upstream, streaming included.
 */
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import OpenAI from 'openai'
import { startGrpcMock, type GrpcMock } from '../mock/grpc.js'
import { startTestGateway, type TestGateway } from '../testing/harness.js'

async function grpcMock(t: TestContext, latencyMs = 0): Promise<GrpcMock> {
  const m = await startGrpcMock({ host: '127.0.0.1', port: 0, latencyMs, tokensPerSecond: 0 })
  t.after(() => m.close())
  return m
}

async function gateway(t: TestContext, spec: object): Promise<{ gw: TestGateway; client: OpenAI }> {
  const gw = await startTestGateway({ version: 1, ...spec }, { t })
  return { gw, client: new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'unused', maxRetries: 0 }) }
}

test('a gRPC server slower than the attempt timeout: DEADLINE_EXCEEDED -> 504 upstream_timeout, stream or not', async (t) => {
  const slow = await grpcMock(t, 5000)
  const { client } = await gateway(t, {
    providers: [{ name: 'slow', type: 'grpc', baseUrl: slow.url, timeout: '300ms', grpc: { preset: 'tgis' } }],
    models: [{ name: 'slow', targets: [{ provider: 'slow', model: 'm' }] }],
  })
  for (const stream of [false, true]) {
    const started = Date.now()
    await assert.rejects(
      async () => {
        const r = await client.chat.completions.create({ model: 'slow', messages: [{ role: 'user', content: 'hi' }], stream })
        if (stream) for await (const _ of r as AsyncIterable<unknown>) void _
      },
      (e: unknown) => e instanceof OpenAI.APIError && e.status === 504 && e.code === 'upstream_timeout',
    )
    assert.ok(Date.now() - started < 4000, 'the deadline cut the call, not the server')
  }
})

test('UNAVAILABLE is retried like a connect error and falls back; the apiKey arrives as authorization metadata', async (t) => {
  const up = await grpcMock(t)
  const { client } = await gateway(t, {
    providers: [
      { name: 'down', type: 'grpc', baseUrl: 'http://127.0.0.1:1', timeout: '2s', grpc: { preset: 'tgis' } },
      { name: 'up', type: 'grpc', baseUrl: up.url, timeout: '2s', apiKey: 'sk-grpc-secret-1234', grpc: { preset: 'kserve-v2' } },
    ],
    models: [
      { name: 'm', targets: [{ provider: 'down', model: 'x' }], retry: { attempts: 2, backoff: '10ms', on: ['connect'] }, fallback: ['backup'] },
      { name: 'backup', targets: [{ provider: 'up', model: 'ensemble' }] },
    ],
  })
  const res = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hello' }] }).withResponse()
  assert.equal(res.response.headers.get('x-llmgw-provider'), 'up')
  assert.equal(res.response.headers.get('x-llmgw-attempts'), '3')
  assert.ok((res.data.choices[0]!.message.content ?? '').length > 0)
  assert.equal(up.stats.authorization, 'Bearer sk-grpc-secret-1234')
})

test('/v1/messages clients get Anthropic-shaped answers from a gRPC upstream, streaming included', async (t) => {
  const mock = await grpcMock(t)
  const { gw } = await gateway(t, {
    providers: [{ name: 'tgis', type: 'grpc', baseUrl: mock.url, timeout: '5s', grpc: { preset: 'tgis' } }],
    models: [{ name: 'claude-like', targets: [{ provider: 'tgis', model: 'm' }] }],
  })
  const post = (stream: boolean) =>
    fetch(`${gw.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: 'claude-like', max_tokens: 5, messages: [{ role: 'user', content: 'hello' }], stream }),
    })
  const r = await post(false)
  assert.equal(r.status, 200)
  const msg = (await r.json()) as { type: string; content: Array<{ type: string; text: string }>; stop_reason: string; usage: { output_tokens: number } }
  assert.equal(msg.type, 'message')
  assert.equal(msg.content[0]!.text.split(' ').length, 5)
  assert.equal(msg.stop_reason, 'max_tokens')
  assert.equal(msg.usage.output_tokens, 5)
  const s = await post(true)
  assert.equal(s.status, 200)
  const sse = await s.text()
  const deltas = [...sse.matchAll(/"text_delta","text":"([^"]*)"/g)].map((m) => m[1]).join('')
  assert.equal(deltas, msg.content[0]!.text)
  assert.match(sse, /event: message_stop/)
})

test('https:// baseUrl: TLS to the gRPC server, verified against grpc.ca', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'llmgw-grpc-tls-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  const key = join(dir, 'key.pem')
  const cert = join(dir, 'cert.pem')
  const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { encoding: 'utf8', timeout: 20_000 })
  if (r.status !== 0) return t.skip(`openssl unavailable: ${r.stderr ?? r.error}`)
  const mock = await startGrpcMock({ host: '127.0.0.1', port: 0, latencyMs: 0, tokensPerSecond: 0, tls: { key: await readFile(key), cert: await readFile(cert) } })
  t.after(() => mock.close())
  assert.match(mock.url, /^https:/)
  const { client } = await gateway(t, {
    providers: [
      { name: 'tls', type: 'grpc', baseUrl: mock.url, timeout: '5s', grpc: { preset: 'tgis', ca: cert } },
      { name: 'untrusted', type: 'grpc', baseUrl: mock.url, timeout: '5s', grpc: { preset: 'tgis' } },
    ],
    models: [
      { name: 'tls', targets: [{ provider: 'tls', model: 'm' }] },
      { name: 'untrusted', targets: [{ provider: 'untrusted', model: 'm' }] },
    ],
  })
  const ok = await client.chat.completions.create({ model: 'tls', messages: [{ role: 'user', content: 'secure hello' }] })
  assert.ok((ok.choices[0]!.message.content ?? '').length > 0)
  // without the CA the certificate is not trusted: the handshake fails, reported as an unavailable upstream
  await assert.rejects(client.chat.completions.create({ model: 'untrusted', messages: [{ role: 'user', content: 'hi' }] }), (e: unknown) => e instanceof OpenAI.APIError && e.status === 502)
})
