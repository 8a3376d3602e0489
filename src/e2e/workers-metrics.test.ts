/** `serve --workers 2` /metrics (SPEC §5): whichever worker answers the scrape, it shows the sum over all workers. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
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
