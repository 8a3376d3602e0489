/** GET /v1/ws without a WebSocket upgrade (SPEC §4, QA F11): a clear OpenAI-shaped 400, not "no such path". */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { WebSocket } from 'undici'
import { startTestGateway } from '../testing/harness.js'

test('a plain GET /v1/ws answers 400 invalid_request saying a WebSocket upgrade is required; a real upgrade still works', async (t) => {
  const gw = await startTestGateway({ version: 1, providers: [{ name: 'sim', type: 'mock' }], models: [{ name: 'm', targets: [{ provider: 'sim', model: 'mock-1' }] }] }, { t })
  const res = await fetch(`${gw.url}/v1/ws`)
  assert.equal(res.status, 400)
  const body = (await res.json()) as { error: { code: string; message: string; type: string; param: null } }
  assert.equal(body.error.code, 'invalid_request')
  assert.match(body.error.message, /WebSocket upgrade/)
  const ws = new WebSocket(`${gw.url.replace('http', 'ws')}/v1/ws`)
  t.after(() => ws.close())
  await new Promise<void>((resolve, reject) => {
    ws.addEventListener('open', () => resolve())
    ws.addEventListener('error', () => reject(new Error('websocket did not open')))
  })
})
