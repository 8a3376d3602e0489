/** Black-box acceptance of `llmgw serve` as a process (SPEC §2): default spec, -c/--host/--port, spec search, invalid spec exit 1, SIGTERM exit 0. */
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createInterface } from 'node:readline'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import OpenAI from 'openai'
import { spawnCli } from '../testing/cli-child.js'

async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'llmgw-spec-serve-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  return dir
}

const SPEC = (model: string) => `version: 1
server: { sseKeepalive: 0 }
providers:
  - name: sim
    type: mock
    mock: { latency: 1ms }
models:
  - name: ${model}
    targets: [{ provider: sim, model: mock-1 }]
`

async function stop(child: ReturnType<typeof spawnCli>): Promise<number | string> {
  child.proc.kill('SIGTERM')
  const timer = setTimeout(() => child.proc.kill('SIGKILL'), 10_000)
  try {
    return await child.exited
  } finally {
    clearTimeout(timer)
  }
}

test('with no spec found, serve runs the embedded default (model mock-1, no keys) and says so in one line; SIGTERM exits 0', async (t) => {
  const dir = await tempDir(t)
  const child = spawnCli(['serve', '--port', '0', '--no-dashboard'], { cwd: dir, t })
  const { url } = await child.listening(20_000)
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/)
  const notes = child.stderr().trim().split('\n').filter((l) => /default/i.test(l))
  assert.equal(notes.length, 1, `one line says the default spec is used: ${child.stderr()}`)
  const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'anything', maxRetries: 0, timeout: 10_000 })
  const models = await client.models.list()
  assert.deepEqual(models.data.map((m) => m.id), ['mock-1'])
  const reply = await client.chat.completions.create({ model: 'mock-1', messages: [{ role: 'user', content: 'hi' }] })
  assert.ok((reply.choices[0]?.message.content ?? '').length > 0)
  assert.equal(await stop(child), 0)
})

test('-c FILE --host --port serve that spec; non-TTY stdout gets JSON log lines', async (t) => {
  const dir = await tempDir(t)
  await writeFile(join(dir, 'custom.yaml'), SPEC('from-flag'))
  const child = spawnCli(['serve', '-c', 'custom.yaml', '--host', '127.0.0.1', '--port', '0', '--no-watch'], { cwd: dir, t })
  const { url } = await child.listening(20_000)
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/)
  const res = await fetch(`${url}/v1/models`)
  const ids = ((await res.json()) as { data: Array<{ id: string }> }).data.map((m) => m.id)
  assert.deepEqual(ids, ['from-flag'])
  assert.equal(await stop(child), 0)
  for (const line of child.lines.filter((l) => l.trim())) assert.doesNotThrow(() => JSON.parse(line), `not a JSON log line: ${line}`)
})

test('the spec is found by search from the working directory (.llmgwrc.json, package.json "llmgw" field)', async (t) => {
  const rc = await tempDir(t)
  await writeFile(join(rc, '.llmgwrc.json'), JSON.stringify({ version: 1, providers: [{ name: 's', type: 'mock' }], models: [{ name: 'from-rc', targets: [{ provider: 's', model: 'm' }] }] }))
  const pkg = await tempDir(t)
  await writeFile(join(pkg, 'package.json'), JSON.stringify({ name: 'x', llmgw: { version: 1, providers: [{ name: 's', type: 'mock' }], models: [{ name: 'from-pkg', targets: [{ provider: 's', model: 'm' }] }] } }))
  for (const [dir, model] of [[rc, 'from-rc'], [pkg, 'from-pkg']] as const) {
    const child = spawnCli(['serve', '--port', '0', '--no-watch'], { cwd: dir, t })
    const { url } = await child.listening(20_000)
    const ids = ((await (await fetch(`${url}/v1/models`)).json()) as { data: Array<{ id: string }> }).data.map((m) => m.id)
    assert.deepEqual(ids, [model])
    assert.equal(await stop(child), 0)
  }
})

test('an invalid spec at start exits 1 and lists each problem with file:line:col; a usage error exits 2', async (t) => {
  const dir = await tempDir(t)
  await writeFile(join(dir, 'bad.yaml'), SPEC('m').replace('    type: mock\n', '    type: mock\n    colour: blue\n'))
  const bad = spawnCli(['serve', '-c', 'bad.yaml', '--port', '0'], { cwd: dir, t })
  assert.equal(await bad.exited, 1)
  assert.match(bad.stderr() + bad.lines.join('\n'), /bad\.yaml:6:5.*colour/)
  const missing = spawnCli(['serve', '-c', 'nope.yaml', '--port', '0'], { cwd: dir, t })
  const code = await missing.exited
  assert.ok(code === 1 || code === 2, `a missing -c file exits 1 or 2, got ${code}`)
  assert.match(missing.stderr(), /nope\.yaml/)
  const usage = spawnCli(['serve', '--port', 'eighty'], { cwd: dir, t })
  assert.equal(await usage.exited, 2)
})

test('SIGTERM drains: /readyz answers 503 while a request is in flight, that request completes, exit 0', async (t) => {
  const dir = await tempDir(t)
  await writeFile(join(dir, 'slow.yaml'), SPEC('slow').replace('latency: 1ms', 'latency: 3000ms'))
  const child = spawnCli(['serve', '-c', 'slow.yaml', '--port', '0', '--no-watch'], { cwd: dir, t })
  const { url } = await child.listening(20_000)
  const inflight = fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'slow', messages: [{ role: 'user', content: 'hi' }] }),
    signal: AbortSignal.timeout(10_000),
  })
  await new Promise((r) => setTimeout(r, 300))
  child.proc.kill('SIGTERM')
  const seen: Array<number | string> = []
  const end = Date.now() + 3000
  while (Date.now() < end && !seen.includes(503)) {
    seen.push(await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(1000) }).then((r) => r.status, () => 'refused'))
    await new Promise((r) => setTimeout(r, 20))
  }
  assert.ok(seen.includes(503), `readyz while draining: ${seen.join(',')}`)
  assert.equal((await inflight).status, 200, 'the in-flight request finishes')
  assert.equal(await child.exited, 0)
})

test('--workers 2: /metrics counts the requests of every worker (a counter never goes backwards between scrapes)', async (t) => {
  const dir = await tempDir(t)
  await writeFile(join(dir, 'llmgw.config.yaml'), SPEC('w'))
  // A runner file, not `node -e`: worker threads inherit execArgv and reject --input-type (see QA report F25).
  const runner = join(dir, 'run.mjs')
  await writeFile(runner, `import(${JSON.stringify(new URL('../cli/main.js', import.meta.url).href)}).then((m) => m.main(['node', 'llmgw', ...process.argv.slice(2)]))\n`)
  const proc = spawn(process.execPath, [runner, 'serve', '--workers', '2', '--port', '0', '--no-watch'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] })
  const exited = new Promise<number | string>((resolve) => proc.on('exit', (code, signal) => resolve(code ?? signal ?? -1)))
  t.after(() => void (proc.exitCode === null && proc.signalCode === null && proc.kill('SIGKILL')))
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no listening line within 30 s')), 30_000)
    createInterface({ input: proc.stdout }).on('line', (l) => {
      const m = /"url":"(http:[^"]+)"/.exec(l)
      if (m) {
        clearTimeout(timer)
        resolve(m[1]!)
      }
    })
  })
  const body = JSON.stringify({ model: 'w', messages: [{ role: 'user', content: 'hi' }] })
  for (let i = 0; i < 12; i++) {
    const res = await fetch(`${url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', connection: 'close' }, body })
    assert.equal(res.status, 200)
    await res.text()
  }
  for (let i = 0; i < 4; i++) {
    const text = await (await fetch(`${url}/metrics`, { headers: { connection: 'close' } })).text()
    assert.match(text, /^llmgw_requests_total\{(?=[^}]*model="w")(?=[^}]*status="200")[^}]*\} 12$/m, `scrape ${i}`)
  }
  proc.kill('SIGTERM')
  assert.equal(await exited, 0)
})
