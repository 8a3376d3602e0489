/** Abort propagation (SPEC §4): a client that drops a slow stream -> the upstream sees the abort within a second. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { startE2E } from '../testing/e2e-specs.js'

const waitFor = async (cond: () => boolean, ms: number): Promise<boolean> => {
  const until = Date.now() + ms
  while (Date.now() < until) {
    if (cond()) return true
    await new Promise((r) => setTimeout(r, 20))
  }
  return cond()
}

test('dropping a slow stream aborts the upstream request within a second', async (t) => {
  const { gw, mock } = await startE2E(t)
  const ac = new AbortController()
  const res = await fetch(`${gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-mock-tokens-per-second': '5', 'x-mock-answer-tokens': '200' },
    body: JSON.stringify({ model: 'ext-model', messages: [{ role: 'user', content: 'a long story' }], stream: true }),
    signal: ac.signal,
  })
  assert.equal(res.status, 200)
  const reader = res.body!.getReader()
  const first = await reader.read()
  assert.equal(first.done, false)
  // wait for two content chunks (the first read may be the role chunk alone)
  let got = new TextDecoder().decode(first.value)
  while ((got.match(/"content":"[^"]/g) ?? []).length < 2) {
    const r = await reader.read()
    assert.equal(r.done, false)
    got += new TextDecoder().decode(r.value)
  }
  const abortsBefore = mock.stats().aborted
  const droppedAt = Date.now()
  ac.abort()
  assert.ok(await waitFor(() => mock.stats().aborted > abortsBefore, 1000), 'the mock never saw the abort')
  assert.ok(mock.stats().lastAbortAt! - droppedAt < 1000)
  // the request ends once its cut stream is accounted; counting the relayed text may first load the tokenizer
  // (hundreds of ms on a busy machine), so this bound is a deadline against hangs, not a timing assertion
  assert.ok(await waitFor(() => gw.app.gateway!.inflight === 0, 10_000), 'the request is still in flight on the gateway')
  // what was relayed is paid for (SPEC §7): the cut stream is not recorded as zero tokens
  const metrics = await (await fetch(`${gw.url}/metrics`)).text()
  const tokens = (dir: string) => Number(new RegExp(`^llmgw_tokens_total\\{[^}]*model="ext-model"[^}]*direction="${dir}"[^}]*\\} (\\S+)$`, 'm').exec(metrics)?.[1] ?? 0)
  assert.ok(tokens('input') > 0, `input tokens of the cut stream: ${tokens('input')}`)
  assert.ok(tokens('output') >= 1 && tokens('output') < 200, `output tokens of the cut stream: ${tokens('output')} (200 were never sent)`)
  assert.match(metrics, /^llmgw_requests_total\{[^}]*model="ext-model"[^}]*status="499"[^}]*\} 1$/m)
})

test('a client that leaves while the upstream is still silent aborts it too', async (t) => {
  const { gw, mock } = await startE2E(t)
  const ac = new AbortController()
  const pending = fetch(`${gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-mock-latency': '5s' },
    body: JSON.stringify({ model: 'ext-model', messages: [{ role: 'user', content: 'x' }] }),
    signal: ac.signal,
  }).catch(() => undefined)
  assert.ok(await waitFor(() => mock.stats().requests > 0, 2000))
  const before = mock.stats().aborted
  ac.abort()
  await pending
  assert.ok(await waitFor(() => mock.stats().aborted > before, 1000), 'the mock never saw the abort')
})
