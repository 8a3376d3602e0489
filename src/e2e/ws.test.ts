/** GET /v1/ws (SPEC §4): each text message is a chat request; replies are the chunk JSONs, then {"type":"done"}. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { WebSocket } from 'undici'
import { startE2E } from '../testing/e2e-specs.js'

function collect(ws: WebSocket, until: (msgs: string[]) => boolean, timeoutMs = 5000): Promise<string[]> {
  const msgs: string[] = []
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out; got ${JSON.stringify(msgs)}`)), timeoutMs)
    ws.addEventListener('message', (ev) => {
      msgs.push(String(ev.data))
      if (until(msgs)) {
        clearTimeout(timer)
        resolve(msgs)
      }
    })
    ws.addEventListener('error', () => reject(new Error('websocket error')))
  })
}

const isDone = (m: string[]): boolean => m.filter((x) => x === '{"type":"done"}').length >= 1

test('a chat request over the WebSocket streams chunk JSONs, then done', async (t) => {
  const { gw } = await startE2E(t)
  const ws = new WebSocket(`${gw.url.replace('http', 'ws')}/v1/ws`)
  t.after(() => ws.close())
  await new Promise((resolve, reject) => (ws.addEventListener('open', resolve), ws.addEventListener('error', reject)))
  const replies = collect(ws, isDone)
  ws.send(JSON.stringify({ model: 'ext-model', messages: [{ role: 'user', content: 'hi' }] }))
  const msgs = await replies
  assert.equal(msgs.at(-1), '{"type":"done"}')
  const chunks = msgs.slice(0, -1).map((m) => JSON.parse(m) as { object: string })
  assert.ok(chunks.length > 1)
  for (const c of chunks) assert.equal(c.object, 'chat.completion.chunk')
})

test('an unknown model over the WebSocket answers an OpenAI error, then done', async (t) => {
  const { gw } = await startE2E(t)
  const ws = new WebSocket(`${gw.url.replace('http', 'ws')}/v1/ws`)
  t.after(() => ws.close())
  await new Promise((resolve, reject) => (ws.addEventListener('open', resolve), ws.addEventListener('error', reject)))
  const replies = collect(ws, isDone)
  ws.send(JSON.stringify({ model: 'nope', messages: [{ role: 'user', content: 'hi' }] }))
  const msgs = await replies
  assert.equal((JSON.parse(msgs[0]!) as { error: { code: string } }).error.code, 'model_not_found')
})
