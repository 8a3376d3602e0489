/** `serve --workers N` (SPEC §3 server.workers): several threads on one port answer; reload reaches them all. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { startTestGateway } from '../testing/harness.js'

const spec = (models: string[]) => ({
  version: 1,
  server: { workers: 2 },
  providers: [{ name: 'sim', type: 'mock' }],
  models: models.map((name) => ({ name, targets: [{ provider: 'sim', model: 'mock-1' }] })),
})

const chat = (url: string, model: string) =>
  fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', connection: 'close' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
  })

test('two worker threads serve one port, and a reload reaches every worker', async (t) => {
  const gw = await startTestGateway(spec(['a']), { t })
  assert.equal(gw.app.workers, 2)
  for (let i = 0; i < 8; i++) {
    const res = await chat(gw.url, 'a')
    assert.equal(res.status, 200)
    await res.arrayBuffer()
  }
  await writeFile(gw.specFile, JSON.stringify(spec(['a', 'b'])))
  const r = await gw.app.reload()
  assert.equal(r.ok, true)
  // Workers reload on their own thread: give them a moment, then every connection (new each time) must know 'b'.
  const until = Date.now() + 3000
  let okInRow = 0
  while (okInRow < 8 && Date.now() < until) {
    const res = await chat(gw.url, 'b')
    okInRow = res.status === 200 ? okInRow + 1 : 0
    await res.arrayBuffer()
  }
  assert.equal(okInRow, 8)
})
