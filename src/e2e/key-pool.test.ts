/**
 * Provider key pools end to end (issue 13): a real gateway in front of a node:http upstream that checks the
 * Authorization header per key. 429 on key A moves traffic to key B with no client-visible error; every key 401 is a
 * clean 503; a key file rotated by a Kubernetes-style symlink swap under load loses no request.
 */
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdir, mkdtemp, rename, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import OpenAI from 'openai'
import { keyFingerprint } from '../providers/key-pool.js'
import { spawnCli } from '../testing/cli-child.js'
import { startTestGateway } from '../testing/harness.js'

type Answer = 'ok' | { status: 401 | 429; retryAfter?: string }

interface Upstream {
  url: string
  /** Requests seen per key (the bearer token). */
  seen: Map<string, number>
  /** What each key gets; unknown keys get 401. */
  answers: Map<string, Answer>
}

async function startUpstream(t: TestContext, answers: Record<string, Answer>): Promise<Upstream> {
  const seen = new Map<string, number>()
  const table = new Map(Object.entries(answers))
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = ''
    req.on('data', (c: Buffer) => (body += c.toString()))
    req.on('end', () => {
      const key = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? ''
      seen.set(key, (seen.get(key) ?? 0) + 1)
      const a = table.get(key) ?? { status: 401 }
      if (a !== 'ok') {
        res.writeHead(a.status, { 'content-type': 'application/json', ...(a.retryAfter ? { 'retry-after': a.retryAfter } : {}) })
        // an upstream that echoes the key it rejected: the gateway must not pass it on
        return res.end(JSON.stringify({ error: { message: `key ${key} rejected`, type: 'x' } }))
      }
      const { model, messages } = JSON.parse(body) as { model: string; messages: Array<{ content: string }> }
      // "slow" in the prompt: answer after 800 ms (a call in flight across a reload)
      const delay = messages[0]?.content === 'slow' ? 800 : 0
      setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          id: 'chatcmpl-1', object: 'chat.completion', created: 1, model,
          choices: [{ index: 0, message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
        }),
      ), delay)
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  t.after(() => new Promise<void>((r) => server.close(() => r())))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, seen, answers: table }
}

const specWith = (url: string, keys: object, extra: object = {}) => ({
  version: 1,
  providers: [{ name: 'up', type: 'openai', baseUrl: url, timeout: '5s', ...keys }],
  models: [{ name: 'm', targets: [{ provider: 'up', model: 'up-1' }], retry: { attempts: 1 } }],
  ...extra,
})

const chat = (url: string, content = 'hi'): Promise<Response> =>
  fetch(`${url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content }] }) })

const status = async (p: Promise<Response>): Promise<number> => {
  const r = await p
  await r.arrayBuffer()
  return r.status
}

const KEY_A = 'sk-pool-key-AAAAAAAA'
const KEY_B = 'sk-pool-key-BBBBBBBB'

test('a 429 on key A moves traffic to key B: no client-visible error, A benched for its retry-after, per-key metrics by fingerprint', async (t) => {
  const up = await startUpstream(t, { [KEY_A]: { status: 429, retryAfter: '120' }, [KEY_B]: 'ok' })
  const gw = await startTestGateway(specWith(up.url, { apiKeys: ['${env:KEY_A}', '${env:KEY_B}'] }), { t, env: { ...process.env, KEY_A, KEY_B } })
  const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'client', maxRetries: 0, timeout: 10_000 })
  for (let i = 0; i < 20; i++) {
    const { data, response } = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }).withResponse()
    assert.equal(data.choices[0]?.message.content, 'hi')
    assert.equal(response.headers.get('x-llmgw-attempts'), '1', 'another key is not another model attempt')
  }
  assert.equal(up.seen.get(KEY_A), 1, 'key A asked once, then benched')
  assert.equal(up.seen.get(KEY_B), 20)

  const metrics = await (await fetch(`${gw.url}/metrics`)).text()
  const a = keyFingerprint(KEY_A)
  const b = keyFingerprint(KEY_B)
  assert.match(metrics, new RegExp(`llmgw_provider_key_requests_total\\{provider="up",key="${a}",result="rate_limited"\\} 1\\b`))
  assert.match(metrics, new RegExp(`llmgw_provider_key_requests_total\\{provider="up",key="${b}",result="ok"\\} 20\\b`))
  assert.match(metrics, new RegExp(`llmgw_provider_key_benched\\{provider="up",key="${a}"\\} 1\\b`))
  assert.match(metrics, new RegExp(`llmgw_provider_key_benched\\{provider="up",key="${b}"\\} 0\\b`))
  assert.ok(!metrics.includes('sk-pool'), 'no key in /metrics')
})

test('every key answers 401: a clean 503 upstream_unavailable with retry-after, no key in the answer', async (t) => {
  const up = await startUpstream(t, { [KEY_A]: { status: 401 }, [KEY_B]: { status: 401 } })
  const gw = await startTestGateway(specWith(up.url, { apiKeys: [KEY_A, KEY_B] }), { t })
  const r = await chat(gw.url)
  const text = await r.text()
  assert.equal(r.status, 503)
  const body = JSON.parse(text) as { error: { code: string; type: string; message: string } }
  assert.equal(body.error.code, 'upstream_unavailable')
  assert.match(body.error.message, /every API key of its pool \(2\) is benched/)
  const ra = Number(r.headers.get('retry-after'))
  assert.ok(Number.isInteger(ra) && ra >= 1, `retry-after ${r.headers.get('retry-after')}`)
  assert.ok(!text.includes('sk-pool'), 'the upstream echoed the key; the client never sees it')
  assert.deepEqual([up.seen.get(KEY_A), up.seen.get(KEY_B)], [1, 1], 'each key tried once')
  // while benched the upstream is not asked again
  const again = await chat(gw.url)
  await again.arrayBuffer()
  assert.equal(again.status, 503)
  assert.deepEqual([up.seen.get(KEY_A), up.seen.get(KEY_B)], [1, 1])
})

test('apiKeyFile rotated by a Kubernetes-style symlink swap under load: no request lost, the new key used afterwards', async (t) => {
  const up = await startUpstream(t, { [KEY_A]: 'ok', [KEY_B]: 'ok' })
  // Secret volume layout: keys -> ..data/keys, ..data -> ..v1; rotation renames a new ..data symlink over the old one
  const mount = await mkdtemp(join(tmpdir(), 'llmgw-secret-'))
  t.after(() => rm(mount, { recursive: true, force: true }))
  await mkdir(join(mount, '..v1'))
  await writeFile(join(mount, '..v1', 'keys'), `${KEY_A}\n`)
  await symlink('..v1', join(mount, '..data'))
  await symlink('..data/keys', join(mount, 'keys'))
  const live = await startTestGateway(specWith(up.url, { apiKeyFile: join(mount, 'keys') }), { t, watch: true })

  const statuses: number[] = []
  const deadline = Date.now() + 15_000
  let sent = 0
  let rotated = false
  const rotate = async (): Promise<void> => {
    await mkdir(join(mount, '..v2'))
    await writeFile(join(mount, '..v2', 'keys'), `# rotated\n${KEY_B}\n`)
    await symlink('..v2', join(mount, '..data_tmp'))
    await rename(join(mount, '..data_tmp'), join(mount, '..data'))
  }
  // 4 bounded loops, 200 requests in all, ~10 ms apart each: about 2 s of light load
  const loops = Array.from({ length: 4 }, async () => {
    while (sent < 200 && Date.now() < deadline) {
      sent++
      if (sent === 40 && !rotated) {
        rotated = true
        void rotate()
      }
      try {
        const r = await chat(live.url)
        await r.arrayBuffer()
        statuses.push(r.status)
      } catch {
        statuses.push(-1)
      }
      await new Promise((r) => setTimeout(r, 10))
    }
  })
  await Promise.all(loops)
  assert.equal(statuses.length, 200)
  assert.deepEqual(statuses.filter((s) => s !== 200), [], 'no request failed during the rotation')
  assert.ok((up.seen.get(KEY_A) ?? 0) >= 40, 'key A served before the rotation')
  assert.ok((up.seen.get(KEY_B) ?? 0) > 0, `the rotation took effect under the load (seen: ${JSON.stringify([...up.seen.values()])})`)
  assert.equal((up.seen.get(KEY_A) ?? 0) + (up.seen.get(KEY_B) ?? 0), 200, 'one upstream call per request: nothing retried or lost')
  const aBefore = up.seen.get(KEY_A)
  for (let i = 0; i < 10; i++) assert.equal(await status(chat(live.url)), 200)
  assert.equal(up.seen.get(KEY_A), aBefore, 'no call with the old key after the rotation')
})

test('reload (what SIGHUP does) re-reads apiKeyFile edited in place, without watching', async (t) => {
  const up = await startUpstream(t, { [KEY_A]: 'ok', [KEY_B]: 'ok' })
  const dir = await mkdtemp(join(tmpdir(), 'llmgw-keys-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  const file = join(dir, 'keys.txt')
  await writeFile(file, `${KEY_A}\n`)
  const gw = await startTestGateway(specWith(up.url, { apiKeyFile: file }), { t })
  assert.equal(await status(chat(gw.url)), 200)
  assert.equal(up.seen.get(KEY_A), 1)
  await writeFile(file, `${KEY_B}\n`)
  assert.equal((await gw.app.reload()).ok, true, 'the spec text is unchanged; the keys are re-read anyway')
  assert.equal(await status(chat(gw.url)), 200)
  assert.deepEqual([up.seen.get(KEY_A), up.seen.get(KEY_B)], [1, 1])
  // an emptied key file fails the reload, names the file only, and the old keys keep serving
  await writeFile(file, '\n# nothing\n')
  const bad = await gw.app.reload()
  assert.equal(bad.ok, false)
  const msg = JSON.stringify(bad)
  assert.match(msg, /apiKeyFile .*keys\.txt holds no key/)
  assert.ok(!msg.includes('sk-pool'))
  assert.equal(await status(chat(gw.url)), 200)
  assert.equal(up.seen.get(KEY_B), 2)
})

test('llmgw serve: SIGHUP re-reads the key file (a request in flight finishes); no key in the process output', async (t) => {
  const up = await startUpstream(t, { [KEY_A]: 'ok', [KEY_B]: 'ok' })
  const dir = await mkdtemp(join(tmpdir(), 'llmgw-hup-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  await writeFile(join(dir, 'keys'), `${KEY_A}\n`)
  const file = join(dir, 'spec.json')
  await writeFile(file, JSON.stringify(specWith(up.url, { apiKeyFile: './keys' })))
  const child = spawnCli(['serve', '-c', file, '--port', '0', '--no-watch', '--no-dashboard'], { cwd: dir, t })
  const { url } = await child.listening()
  assert.equal(await status(chat(url)), 200)
  assert.equal(up.seen.get(KEY_A), 1)
  const inFlight = status(chat(url, 'slow'))
  for (let i = 0; i < 1000 && up.seen.get(KEY_A) !== 2; i++) await new Promise((r) => setTimeout(r, 10))
  assert.equal(up.seen.get(KEY_A), 2, 'the slow call reached the upstream')
  await writeFile(join(dir, 'keys'), `${KEY_B}\n`)
  child.proc.kill('SIGHUP')
  const deadline = Date.now() + 15_000
  while ((up.seen.get(KEY_B) ?? 0) === 0) {
    assert.ok(Date.now() < deadline, `key B never used after SIGHUP; stderr: ${child.stderr()}`)
    assert.equal(await status(chat(url)), 200)
    await new Promise((r) => setTimeout(r, 50))
  }
  assert.equal(await inFlight, 200, 'the call in flight on the old key finished')
  child.proc.kill('SIGTERM')
  assert.equal(await child.exited, 0, child.stderr())
  const output = child.lines.join('\n') + child.stderr()
  assert.ok(output.includes('reload'), output)
  assert.ok(!output.includes('sk-pool'), 'a key in the process output')
})
