/** POST /v1/messages (SPEC §4): Anthropic in, routed like any model, translated both ways, streaming included. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { startE2E } from '../testing/e2e-specs.js'

const request = (model: string, extra: object = {}) =>
  JSON.stringify({ model, max_tokens: 32, system: 'be brief', messages: [{ role: 'user', content: 'Hello' }], ...extra })

async function post(url: string, body: string) {
  const res = await fetch(`${url}/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' }, body })
  return { res, text: await res.text() }
}

for (const model of ['ext-model', 'sim-model']) {
  test(`an Anthropic request to ${model} gets an Anthropic message back`, async (t) => {
    const { gw } = await startE2E(t)
    const { res, text } = await post(gw.url, request(model))
    assert.equal(res.status, 200, text)
    const msg = JSON.parse(text) as { type: string; role: string; content: Array<{ type: string; text: string }>; usage: { input_tokens: number; output_tokens: number } }
    assert.equal(msg.type, 'message')
    assert.equal(msg.role, 'assistant')
    assert.equal(msg.content[0]?.type, 'text')
    assert.ok(msg.usage.output_tokens > 0)
  })
}

test('an Anthropic stream arrives as Anthropic SSE events', async (t) => {
  const { gw } = await startE2E(t)
  const { res, text } = await post(gw.url, request('ext-model', { stream: true }))
  assert.equal(res.status, 200)
  assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/)
  assert.match(text, /event: message_start/)
  assert.match(text, /event: content_block_delta/)
  assert.match(text, /event: message_stop/)
})

test('errors on /v1/messages use the Anthropic error shape', async (t) => {
  const { gw } = await startE2E(t)
  const missing = await post(gw.url, JSON.stringify({ model: 'ext-model', messages: [{ role: 'user', content: 'x' }] }))
  assert.equal(missing.res.status, 400)
  const body = JSON.parse(missing.text) as { type: string; error: { type: string; message: string } }
  assert.equal(body.type, 'error')
  assert.equal(body.error.type, 'invalid_request_error')
  const unknown = await post(gw.url, request('nope'))
  assert.equal(unknown.res.status, 404)
  assert.equal((JSON.parse(unknown.text) as { error: { type: string } }).error.type, 'not_found_error')
})
