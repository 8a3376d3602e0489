/** /readyz while draining (SPEC §4 "503 while draining", QA F15): new connections see 503 while a stream finishes. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { startTestGateway, startTestMock } from '../testing/harness.js'

test('during shutdown with a stream in flight, /readyz answers 503 and the stream still completes', async (t) => {
  const mock = await startTestMock({ t, latencyMs: 0 })
  const gw = await startTestGateway(
    {
      version: 1,
      server: { shutdownGrace: '10s', sseKeepalive: 0 },
      providers: [{ name: 'ext', type: 'openai', baseUrl: `${mock.url}/v1`, headers: { 'x-mock-tokens-per-second': '40', 'x-mock-answer-tokens': '30' } }],
      models: [{ name: 'slow', targets: [{ provider: 'ext', model: 'm' }] }],
    },
    { t },
  )
  assert.equal((await fetch(`${gw.url}/readyz`)).status, 200)
  const res = await fetch(`${gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'slow', messages: [{ role: 'user', content: 'x' }], stream: true }),
  })
  assert.equal(res.status, 200)
  const reader = res.body!.getReader()
  let text = Buffer.from((await reader.read()).value!).toString()
  const down = gw.app.shutdown()
  const ready = await fetch(`${gw.url}/readyz`, { headers: { connection: 'close' } })
  assert.equal(ready.status, 503)
  assert.equal(await ready.text(), 'draining')
  for (;;) {
    const r = await reader.read()
    if (r.done) break
    text += Buffer.from(r.value).toString()
  }
  assert.match(text, /data: \[DONE\]\n\n$/)
  await down
  await assert.rejects(fetch(`${gw.url}/healthz`), 'the listener is closed once drained')
})
