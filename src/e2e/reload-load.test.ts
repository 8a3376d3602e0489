/** Hot reload under load (SPEC §6): no failed request for a stable model, new models live within a second, state carries over. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startApp } from '../app/start.js'
import { startTestGateway, startTestMock } from '../testing/harness.js'

const chat = (url: string, model: string, headers: Record<string, string> = {}) =>
  fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
  })

const status = async (p: Promise<Response>): Promise<number> => {
  try {
    const r = await p
    await r.arrayBuffer()
    return r.status
  } catch {
    return -1
  }
}

const sim = { name: 'sim', type: 'mock', mock: { latency: '1ms' } }
const model = (name: string, cache?: object) => ({ name, targets: [{ provider: 'sim', model: 'mock-1' }], ...(cache ? { cache } : {}) })

test('a cached answer is still a HIT after a reload that changes an unrelated model', async (t) => {
  const spec = (other: string) => ({ version: 1, providers: [sim], models: [model('cached', { ttl: '5m' }), model(other)] })
  const gw = await startTestGateway(spec('other-a'), { t })
  const first = await chat(gw.url, 'cached')
  assert.equal(first.headers.get('x-llmgw-cache'), 'MISS')
  await first.arrayBuffer()
  await writeFile(gw.specFile, JSON.stringify(spec('other-b')))
  const r = await gw.app.reload()
  assert.equal(r.ok, true)
  assert.equal(await status(chat(gw.url, 'other-b')), 200, 'the reload is live')
  const again = await chat(gw.url, 'cached')
  assert.equal(again.headers.get('x-llmgw-cache'), 'HIT')
  await again.arrayBuffer()
})

test('a key at its rpm limit stays limited after an unrelated change (counters carry over)', async (t) => {
  const spec = (other: string) => ({
    version: 1,
    providers: [sim],
    models: [model('m'), model(other)],
    keys: [{ id: 'k', key: 'client-key-123', limits: { rpm: 2 } }],
  })
  const gw = await startTestGateway(spec('a'), { t })
  const auth = { authorization: 'Bearer client-key-123' }
  assert.equal(await status(chat(gw.url, 'm', auth)), 200)
  assert.equal(await status(chat(gw.url, 'm', auth)), 200)
  assert.equal(await status(chat(gw.url, 'm', auth)), 429)
  await writeFile(gw.specFile, JSON.stringify(spec('b')))
  assert.equal((await gw.app.reload()).ok, true)
  assert.equal(await status(chat(gw.url, 'b', auth)), 429, 'still limited on the new spec')
})

test('20 file rewrites under continuous load: no failed request for the stable model, new models live within 1 s', async (t) => {
  const spec = (extra: string[]) => ({ version: 1, providers: [sim], models: [model('stable'), ...extra.map((n) => model(n))] })
  const gw = await startTestGateway(spec([]), { t, watch: true })
  let stop = false
  const failures: number[] = []
  let done = 0
  // Four bounded client loops (stop flag plus a hard deadline) on the stable model.
  const hardStop = Date.now() + 20_000
  const loops = Array.from({ length: 4 }, async () => {
    while (!stop && Date.now() < hardStop) {
      const s = await status(chat(gw.url, 'stable'))
      done++
      if (s !== 200) failures.push(s)
    }
  })
  const latencies: number[] = []
  const started = Date.now()
  try {
    for (let i = 0; i < 20; i++) {
      const name = `new-${i}`
      const before = gw.app.version
      const text = JSON.stringify(spec([name]))
      const t0 = performance.now()
      // Alternate editor-style in-place writes and atomic renames (SPEC §6).
      if (i % 2 === 0) await writeFile(gw.specFile, text)
      else {
        await writeFile(`${gw.specFile}.tmp`, text)
        await rename(`${gw.specFile}.tmp`, gw.specFile)
      }
      let live = false
      while (performance.now() - t0 < 1000) {
        if (gw.app.version !== before && (await status(chat(gw.url, name))) === 200) {
          live = true
          break
        }
        await new Promise((r) => setTimeout(r, 5))
      }
      assert.ok(live, `model ${name} answers within 1 s of the write (rewrite ${i})`)
      latencies.push(performance.now() - t0)
      if (i > 0) assert.equal(await status(chat(gw.url, `new-${i - 1}`)), 404, 'the removed model is gone')
    }
    // An invalid spec keeps the old one serving.
    const before = gw.app.version
    await writeFile(gw.specFile, JSON.stringify({ version: 1, providers: [sim], models: [{ name: 'broken', targets: [{ provider: 'nope', model: 'x' }] }] }))
    await new Promise((r) => setTimeout(r, 600))
    assert.equal(gw.app.version, before)
    assert.equal(await status(chat(gw.url, 'new-19')), 200)
    while (Date.now() - started < 3000) await new Promise((r) => setTimeout(r, 50))
  } finally {
    stop = true
    await Promise.all(loops)
  }
  assert.deepEqual(failures, [], `${failures.length} of ${done} stable requests failed`)
  assert.ok(done > 20)
  latencies.sort((a, b) => a - b)
  t.diagnostic(`reload latency (file write -> new model answering): median ${latencies[10]!.toFixed(0)} ms, max ${latencies[19]!.toFixed(0)} ms; ${done} stable requests`)
})

test('providers removed by reloads are closed: no sockets or timers pile up over many reloads', async (t) => {
  const mock = await startTestMock({ t, latencyMs: 0 })
  const spec = (i: number) => ({
    version: 1,
    providers: [sim, { name: `up-${i}`, type: 'openai', baseUrl: `${mock.url}/v1`, apiKey: 'sk-x' }],
    models: [model('stable'), { name: 'via-up', targets: [{ provider: `up-${i}`, model: 'x' }] }],
  })
  const gw = await startTestGateway(spec(0), { t })
  const cycle = async (i: number): Promise<void> => {
    await writeFile(gw.specFile, JSON.stringify(spec(i)))
    assert.equal((await gw.app.reload()).ok, true)
    assert.equal(await status(chat(gw.url, 'via-up', { connection: 'close' })), 200)
  }
  const count = (): number => process.getActiveResourcesInfo().filter((r) => r !== 'FSReqCallback').length
  for (let i = 1; i <= 3; i++) await cycle(i)
  await new Promise((r) => setTimeout(r, 200))
  const base = count()
  for (let i = 4; i <= 33; i++) await cycle(i)
  await new Promise((r) => setTimeout(r, 200))
  const after = count()
  assert.ok(after <= base + 3, `active resources grew from ${base} to ${after} over 30 reloads: ${process.getActiveResourcesInfo().join(',')}`)
})

test('a reload that changes observability or state says they need a restart', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'llmgw-startonly-'))
  const file = join(dir, 'spec.json')
  const spec = (metrics: boolean) => ({ version: 1, providers: [sim], models: [model('m')], observability: { metrics } })
  await writeFile(file, JSON.stringify(spec(true)))
  const warnings: string[] = []
  const log = { info() {}, error() {}, warn: (msg: string) => void warnings.push(msg) }
  const app = await startApp({ file, host: '127.0.0.1', port: 0, watch: false, dashboard: false, accessLog: false, cwd: dir, log })
  t.after(async () => {
    await app.shutdown()
    await rm(dir, { recursive: true, force: true })
  })
  await writeFile(file, JSON.stringify({ ...spec(true), models: [model('m'), model('n')] }))
  assert.equal((await app.reload()).ok, true)
  assert.deepEqual(warnings, [])
  await writeFile(file, JSON.stringify(spec(false)))
  assert.equal((await app.reload()).ok, true)
  assert.equal(warnings.length, 1)
  assert.match(warnings[0]!, /observability .* need a restart/)
})
