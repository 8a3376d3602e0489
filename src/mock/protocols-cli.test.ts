/** `llmgw mock --grpc-port 0 --graphql-port 0` as a process: one line per listener, each answers, exit 0 on SIGTERM. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import * as grpc from '@grpc/grpc-js'
import { loadSync } from '@grpc/proto-loader'
import { packageRoot } from '../core/package-root.js'

const MAIN = fileURLToPath(new URL('../cli/main.js', import.meta.url))
const args = (a: string[]) => ['--input-type=module', '-e', `import(${JSON.stringify(MAIN)}).then((m) => m.main(['node', 'llmgw', ...${JSON.stringify(a)}]))`]

test('prints the gRPC and GraphQL listeners; both answer; exits 0 on SIGTERM', async (t) => {
  const child = spawn(process.execPath, args(['mock', '--port', '0', '--latency', '0ms', '--grpc-port', '0', '--graphql-port', '0']), { stdio: ['ignore', 'pipe', 'pipe'] })
  t.after(() => child.kill('SIGKILL'))
  let out = ''
  child.stdout.setEncoding('utf8')
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: string) => {
      out += d
      if (out.split('\n').length > 3) resolve()
    })
    child.once('exit', () => reject(new Error(`exited early: ${out}`)))
  })
  const grpcUrl = /^llmgw mock gRPC \(kserve-v2, tgis\) listening on http:\/\/(127\.0\.0\.1:\d+)$/m.exec(out)?.[1]
  const gqlUrl = /^llmgw mock GraphQL listening on (http:\/\/127\.0\.0\.1:\d+\/graphql)$/m.exec(out)?.[1]
  assert.ok(grpcUrl && gqlUrl, out)

  const def = loadSync(`${packageRoot()}/fixtures/protos/tgis/generation.proto`, { keepCase: true, defaults: true, enums: String })
  const Gen = (grpc.loadPackageDefinition(def) as unknown as { fmaas: { GenerationService: grpc.ServiceClientConstructor } }).fmaas.GenerationService
  const client = new Gen(grpcUrl, grpc.credentials.createInsecure())
  const res = await new Promise<{ responses: Array<{ text: string }> }>((resolve, reject) =>
    (client as unknown as Record<string, (r: object, cb: (e: Error | null, v: never) => void) => void>).Generate!({ requests: [{ text: 'hi' }] }, (e, v) => (e ? reject(e) : resolve(v))),
  )
  client.close()
  assert.ok(res.responses[0]!.text.length > 0)

  const q = await fetch(gqlUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ complete(prompt: "hi") { text } }' }) })
  assert.equal(q.status, 200)
  assert.ok(((await q.json()) as { data: { complete: { text: string } } }).data.complete.text.length > 0)

  child.kill('SIGTERM')
  const [code] = (await once(child, 'exit')) as [number | null]
  assert.equal(code, 0)
})

test('a bad --grpc-port or --graphql-port is a usage error (exit 2)', () => {
  for (const flag of ['--grpc-port', '--graphql-port']) {
    const r = spawnSync(process.execPath, args(['mock', flag, '70000']), { encoding: 'utf8', timeout: 10_000 })
    assert.equal(r.status, 2, `${flag}: ${r.stderr}`)
    assert.match(r.stderr, new RegExp(flag))
  }
})
