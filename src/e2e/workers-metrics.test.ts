/** `serve --workers 2` /metrics (SPEC §5): whichever worker answers the scrape, it shows the sum over all workers. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { startTestGateway } from '../testing/harness.js'

test('with 2 workers, N requests spread over both show as N in every scrape', async (t) => {
  const gw = await startTestGateway(
    {
      version: 1,
      server: { workers: 2 },
      providers: [{ name: 'sim', type: 'mock', mock: { latency: '1ms' } }],
      models: [{ name: 'a', targets: [{ provider: 'sim', model: 'mock-1' }] }],
    },
    { t },
  )
  assert.equal(gw.app.workers, 2)
  const N = 24
  for (let i = 0; i < N; i++) {
    // A new connection each time: the kernel spreads them over both workers' sockets.
    const r = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', connection: 'close' },
      body: JSON.stringify({ model: 'a', messages: [{ role: 'user', content: 'hi' }] }),
    })
    assert.equal(r.status, 200)
    await r.arrayBuffer()
  }
  for (let i = 0; i < 6; i++) {
    const res = await fetch(`${gw.url}/metrics`, { headers: { connection: 'close' } })
    assert.equal(res.status, 200)
    const text = await res.text()
    assert.match(text, new RegExp(`^llmgw_requests_total\\{model="a",provider="sim",status="200"\\} ${N}$`, 'm'), text.split('\n').filter((l) => l.startsWith('llmgw_requests_total')).join('\n'))
    assert.match(text, /^llmgw_breaker_state\{provider="sim"\} 0$/m, 'gauges are not summed')
  }
})

test('with 2 workers, one valid and one invalid reload count once each in the merged scrape', async (t) => {
  const spec = (models: string[]) => ({
    version: 1,
    server: { workers: 2 },
    providers: [{ name: 'sim', type: 'mock', mock: { latency: '1ms' } }],
    models: models.map((name) => ({ name, targets: [{ provider: 'sim', model: 'mock-1' }] })),
  })
  const gw = await startTestGateway(spec(['a']), { t })
  await writeFile(gw.specFile, JSON.stringify({ version: 1, providers: [], models: 'nope' }))
  assert.equal((await gw.app.reload()).ok, false)
  await writeFile(gw.specFile, JSON.stringify(spec(['a', 'b'])))
  assert.equal((await gw.app.reload()).ok, true)
  const until = Date.now() + 5000
  let text = ''
  while (Date.now() < until) {
    text = await (await fetch(`${gw.url}/metrics`, { headers: { connection: 'close' } })).text()
    if (/^llmgw_config_reloads_total\{result="ok"\} 1$/m.test(text) && /^llmgw_config_reloads_total\{result="error"\} 1$/m.test(text)) break
    await new Promise((r) => setTimeout(r, 50))
  }
  assert.match(text, /^llmgw_config_reloads_total\{result="ok"\} 1$/m)
  assert.match(text, /^llmgw_config_reloads_total\{result="error"\} 1$/m)
  await new Promise((r) => setTimeout(r, 200))
  text = await (await fetch(`${gw.url}/metrics`, { headers: { connection: 'close' } })).text()
  assert.match(text, /^llmgw_config_reloads_total\{result="ok"\} 1$/m, 'not counted once per worker')
})
