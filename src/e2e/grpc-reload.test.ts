/** Hot reload (SPEC §6) of a generic grpc provider's proto (issue 12): the proto is watched like the spec, re-linted, and reloaded. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { packageRoot } from '../core/package-root.js'
import { startGrpcMock } from '../mock/grpc.js'
import { startTestGateway } from '../testing/harness.js'
import { until } from '../testing/until.js'

test('editing the proto reloads the spec: a mapping the new proto breaks is refused, the old spec keeps serving', async (t) => {
  const mock = await startGrpcMock({ host: '127.0.0.1', port: 0, latencyMs: 0, tokensPerSecond: 0 })
  t.after(() => mock.close())
  const dir = await mkdtemp(join(tmpdir(), 'llmgw-proto-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  const proto = join(dir, 'gen.proto')
  const original = await readFile(join(packageRoot(), 'fixtures/protos/tgis/generation.proto'), 'utf8')
  await writeFile(proto, original)
  const gw = await startTestGateway(
    {
      version: 1,
      providers: [{ name: 'g', type: 'grpc', baseUrl: mock.url, timeout: '5s', grpc: {
        proto, service: 'fmaas.GenerationService', method: 'Generate',
        request: { model_id: 'model', 'requests.0.text': 'lastMessage' }, response: { text: 'responses.0.text' },
      } }],
      models: [{ name: 'g', targets: [{ provider: 'g', model: 'x' }] }],
    },
    { t, watch: true },
  )
  const ask = async (): Promise<number> => {
    const r = await fetch(`${gw.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'g', messages: [{ role: 'user', content: 'hi' }] }) })
    await r.text()
    return r.status
  }
  const reloads = async (result: string): Promise<number> =>
    Number(new RegExp(`^llmgw_config_reloads_total\\{result="${result}"\\} (\\d+)$`, 'm').exec(await (await fetch(`${gw.url}/metrics`)).text())?.[1] ?? 0)
  assert.equal(await ask(), 200)
  // the answer field renamed (same number): the mapping's responses.0.text no longer exists
  await writeFile(proto, original.replace('string text = 4;', 'string output = 4;'))
  await until('the proto edit is refused', async () => (await reloads('error')) >= 1)
  assert.equal(await ask(), 200, 'the old spec keeps serving')
  await writeFile(proto, original.replace('service GenerationService {', 'service GenerationService {\n  // edited'))
  await until('a valid proto edit is reloaded', async () => (await reloads('ok')) >= 1)
  assert.equal(await ask(), 200)
})
