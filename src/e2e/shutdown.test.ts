/** `llmgw serve` as a process (SPEC §2): listening line, default spec, exit 1 on an invalid spec, graceful SIGTERM drain. */
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { spawnCli } from '../testing/cli-child.js'
import { startTestMock } from '../testing/harness.js'

async function tempDir(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'llmgw-serve-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  return dir
}

/** A mock upstream and `llmgw serve` of the YAML `lines` (given the mock's URL), started on a free port. */
async function serveYaml(t: TestContext, lines: (mockUrl: string) => string[]) {
  const mock = await startTestMock({ t })
  const dir = await tempDir(t)
  const file = join(dir, 'spec.yaml')
  await writeFile(file, [...lines(mock.url), ''].join('\n'))
  const child = spawnCli(['serve', '-c', file, '--port', '0', '--no-watch', '--no-dashboard'], { cwd: dir, t })
  return { mock, file, child }
}

test('a stream in flight completes after SIGTERM, then the process exits 0', async (t) => {
  const { file, child } = await serveYaml(t, (mock) => [
    'version: 1',
    'server: { shutdownGrace: 10s, sseKeepalive: 0 }',
    'providers:',
    `  - { name: ext, type: openai, baseUrl: "${mock}/v1", headers: { x-mock-tokens-per-second: "40", x-mock-answer-tokens: "30" } }`,
    'models:',
    '  - { name: slow, targets: [{ provider: ext, model: m }] }',
  ])
  const line = await child.listening()
  assert.match(line.url, /^http:\/\/127\.0\.0\.1:\d+$/)
  assert.equal(line.spec, file)
  assert.match(line.version ?? '', /^[0-9a-f]{12}$/)

  const res = await fetch(`${line.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'slow', messages: [{ role: 'user', content: 'x' }], stream: true }),
  })
  assert.equal(res.status, 200)
  const reader = res.body!.getReader()
  const first = await reader.read()
  assert.equal(first.done, false)
  child.proc.kill('SIGTERM')
  let text = Buffer.from(first.value!).toString()
  for (;;) {
    const r = await reader.read()
    if (r.done) break
    text += Buffer.from(r.value).toString()
  }
  assert.match(text, /data: \[DONE\]\n\n$/, 'the stream finished normally')
  assert.equal(await child.exited, 0)
  await assert.rejects(fetch(`${line.url}/healthz`), 'the listener is closed')
})

test('with no spec in the working directory, serve runs the embedded default (model mock-1)', async (t) => {
  const dir = await tempDir(t)
  const child = spawnCli(['serve', '--port', '0', '--no-watch', '--no-dashboard'], { cwd: dir, t })
  const line = await child.listening()
  assert.equal(line.spec, '<default>')
  assert.match(child.stderr(), /embedded default/)
  const res = await fetch(`${line.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'mock-1', messages: [{ role: 'user', content: 'hi' }] }),
  })
  assert.equal(res.status, 200, await res.clone().text())
  const body = (await res.json()) as { object: string }
  assert.equal(body.object, 'chat.completion')
  assert.equal((await fetch(`${line.url}/readyz`)).status, 200)
  child.proc.kill('SIGINT')
  assert.equal(await child.exited, 0)
})

test('an invalid spec at start exits 1 with file:line:col problems', async (t) => {
  const dir = await tempDir(t)
  const file = join(dir, 'bad.yaml')
  await writeFile(file, 'version: 1\nproviders:\n  - { name: p, type: mock }\nmodels:\n  - { name: m, targets: [{ provider: opnai, model: x }] }\n')
  const child = spawnCli(['serve', '-c', file, '--port', '0', '--no-watch'], { cwd: dir, t })
  assert.equal(await child.exited, 1)
  assert.match(child.stderr(), /bad\.yaml:5:\d+ +error/)
})

/** A directory whose .mjs spec writes `mark` when its evaluation starts, then keeps the load busy for 1.5 s (in the
 * spec worker: the main thread is free to take signals meanwhile), and serve started there. */
async function slowStartingServe(t: TestContext) {
  const dir = await tempDir(t)
  const mark = join(dir, 'loading')
  await writeFile(join(dir, 'llmgw.config.mjs'), [
    "import { writeFileSync } from 'node:fs'",
    `writeFileSync(${JSON.stringify(mark)}, 'x')`,
    'const end = Date.now() + 1500',
    'while (Date.now() < end);',
    "export default { version: 1, providers: [{ name: 'sim', type: 'mock' }], models: [{ name: 'm', targets: [{ provider: 'sim', model: 'mock-1' }] }] }",
    '',
  ].join('\n'))
  const child = spawnCli(['serve', '--port', '0', '--no-watch', '--no-dashboard'], { cwd: dir, t })
  const deadline = Date.now() + 15_000
  while (!existsSync(mark)) {
    assert.ok(Date.now() < deadline, `the spec module never started loading; stderr: ${child.stderr()}`)
    await new Promise((r) => setTimeout(r, 20))
  }
  return child
}

test('SIGTERM and SIGHUP while serve is still starting: the app comes up, drains at once and exits 0 (not 143)', async (t) => {
  const child = await slowStartingServe(t)
  child.proc.kill('SIGHUP')
  child.proc.kill('SIGTERM')
  assert.equal(await child.exited, 0, child.stderr())
  assert.ok(child.lines.some((l) => l.includes('"signal":"SIGTERM"')), child.lines.join('\n'))
})

test('a SIGHUP while serve is still starting is replayed as a reload once it is up (the edit it announced is not lost)', async (t) => {
  const child = await slowStartingServe(t)
  child.proc.kill('SIGHUP')
  const { url } = await child.listening()
  const deadline = Date.now() + 15_000
  while (!/^llmgw_config_reloads_total\{result="ok"\} 1$/m.test(await (await fetch(`${url}/metrics`)).text())) {
    assert.ok(Date.now() < deadline, 'no reload after the held SIGHUP')
    await new Promise((r) => setTimeout(r, 50))
  }
  child.proc.kill('SIGTERM')
  assert.equal(await child.exited, 0, child.stderr())
})

test('past server.shutdownGrace, unfinished responses get a last word: a stream its error event, a waiting request a 503; the upstream is aborted', async (t) => {
  const { mock, child } = await serveYaml(t, (mock) => [
    'version: 1',
    'server: { shutdownGrace: 600ms, sseKeepalive: 0 }',
    'providers:',
    `  - { name: ext, type: openai, baseUrl: "${mock}/v1", headers: { x-mock-tokens-per-second: "5", x-mock-answer-tokens: "100" } }`,
    `  - { name: mute, type: openai, baseUrl: "${mock}/v1", timeout: 30s, headers: { x-mock-latency: 20s } }`,
    'models:',
    '  - { name: long, targets: [{ provider: ext, model: m }] }',
    '  - { name: silent, targets: [{ provider: mute, model: m }] }',
  ])
  const { url } = await child.listening()
  const post = (model: string, stream: boolean) => fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'x' }], stream }),
    signal: AbortSignal.timeout(15_000),
  })
  const stream = await post('long', true)
  assert.equal(stream.status, 200)
  const waiting = post('silent', false)
  const reader = stream.body!.getReader()
  let text = Buffer.from((await reader.read()).value!).toString()
  // both calls are upstream before the signal (a request still connecting when the listener closes gets no answer)
  for (let i = 0; i < 500 && mock.stats().requests < 2; i++) await new Promise((r) => setTimeout(r, 10))
  const abortsBefore = mock.stats().aborted
  child.proc.kill('SIGTERM')
  for (;;) {
    const r = await reader.read()
    if (r.done) break
    text += Buffer.from(r.value).toString()
  }
  assert.match(text, /data: \{"error":\{"message":"llmgw is shutting down[^"]*","type":"[^"]+","param":null,"code":"upstream_unavailable"\}\}\n\n$/, text.slice(-300))
  assert.doesNotMatch(text, /\[DONE\]/)
  const w = await waiting
  assert.equal(w.status, 503)
  assert.equal(((await w.json()) as { error: { code: string } }).error.code, 'upstream_unavailable')
  assert.equal(await child.exited, 0)
  assert.ok(mock.stats().aborted >= abortsBefore + 2, 'both upstream calls were aborted')
  // the access log says the server cut them (503), not that the clients left (499)
  const logged = child.lines.filter((l) => l.includes('"path":"/v1/chat/completions"')).map((l) => JSON.parse(l) as { status: number; errorCode?: string })
  assert.deepEqual(logged.map((r) => [r.status, r.errorCode]), [[503, 'upstream_unavailable'], [503, 'upstream_unavailable']], child.lines.join('\n'))
})
