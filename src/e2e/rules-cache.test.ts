/** Rules, response cache, experiments and embeddings batching end to end on the real server (SPEC §3 rules, cache, experiments, batching). */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { startTestGateway, startTestMock } from '../testing/harness.js'

async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) })
  return { status: res.status, headers: res.headers, text: await res.text() }
}
const chat = (content: string, extra: Record<string, unknown> = {}) => ({ model: 'gpt-4o', messages: [{ role: 'user', content }], ...extra })

test('deny, content-filter (block and mask) and system-prompt rules apply in order', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'llmgw-words-'))
  await writeFile(join(dir, 'blocked.txt'), '# listed words\nproject-x\n')
  const gw = await startTestGateway(
    `version: 1
providers: [{ name: sim, type: mock, mock: { latency: 1ms } }]
models:
  - { name: gpt-4o, targets: [{ provider: sim, model: mock-1 }] }
  - { name: other, targets: [{ provider: sim, model: mock-1 }] }
rules:
  - { type: deny, when: { model: gpt-4o, header: { x-env: dev } }, message: "gpt-4o is not available from dev" }
  - { type: content-filter, words: [secret-project], action: block, scope: [request] }
  - { type: content-filter, wordsFile: ${join(dir, 'blocked.txt')}, action: block, scope: [request] }
  - { type: system-prompt, text: "You are terse.", mode: prepend, models: ["gpt-*"] }
`,
    { t },
  )
  const denied = await post(gw.url, chat('hi'), { 'x-env': 'dev' })
  assert.equal(denied.status, 400)
  assert.deepEqual(JSON.parse(denied.text).error, { message: 'gpt-4o is not available from dev', type: 'invalid_request_error', param: null, code: 'request_denied' })
  assert.equal((await post(gw.url, chat('hi'), { 'x-env': 'prod' })).status, 200)
  const filtered = await post(gw.url, chat('about the Secret-Project'))
  assert.equal(filtered.status, 400)
  assert.equal(JSON.parse(filtered.text).error.code, 'content_filtered')
  assert.equal((await post(gw.url, chat('tell me about project-x'))).status, 400, 'words from wordsFile block too')
  assert.equal((await post(gw.url, { ...chat('about the secret-project'), model: 'other' })).status, 400, 'filters without models apply to all')
})

test('response-scope masking rewrites answer text, streams included', async (t) => {
  // The mock's answers are deterministic words; mask every common English word the generator might use.
  const gw = await startTestGateway(
    `version: 1
providers: [{ name: sim, type: mock, mock: { latency: 1ms } }]
models: [{ name: gpt-4o, targets: [{ provider: sim, model: mock-1 }] }]
rules:
  - { type: content-filter, words: [the, a, of, and, to, in, is, it, you, that], action: mask, scope: [response] }
`,
    { t },
  )
  const plain = await post(gw.url, chat('hello there'))
  assert.equal(plain.status, 200)
  const content = JSON.parse(plain.text).choices[0].message.content as string
  assert.doesNotMatch(content, /\b(the|of|and|to|is)\b/i)
  const streamed = await post(gw.url, chat('hello there', { stream: true }))
  assert.equal(streamed.status, 200)
  assert.match(streamed.text, /data: \[DONE\]/)
  assert.doesNotMatch(streamed.text, /"content":"(the|of|and|to|is)\b/i)
})

test('the exact-match cache answers repeats with HIT, no upstream call and x-llmgw-cache headers', async (t) => {
  const mock = await startTestMock({ t, latencyMs: 1 })
  const gw = await startTestGateway(
    `version: 1
providers: [{ name: up, type: openai, baseUrl: ${mock.url}/v1 }]
models: [{ name: gpt-4o, targets: [{ provider: up, model: mock-1 }], cache: { ttl: 5m } }]
`,
    { t },
  )
  const body = chat('cache me')
  const first = await post(gw.url, body)
  assert.equal(first.headers.get('x-llmgw-cache'), 'MISS')
  const before = mock.stats().requests
  const second = await post(gw.url, body)
  assert.equal(second.status, 200)
  assert.equal(second.headers.get('x-llmgw-cache'), 'HIT')
  assert.equal(second.headers.get('x-llmgw-provider'), 'up')
  assert.equal(second.text, first.text, 'the cached answer is byte-identical')
  assert.equal(mock.stats().requests, before, 'a HIT never reaches the upstream')
  const bypass = await post(gw.url, body, { 'cache-control': 'no-cache' })
  assert.equal(bypass.headers.get('x-llmgw-cache'), 'BYPASS')
  assert.equal(mock.stats().requests, before + 1)
  const s1 = await post(gw.url, chat('cache me', { stream: true }))
  const s2 = await post(gw.url, chat('cache me', { stream: true }))
  assert.equal(s1.headers.get('x-llmgw-cache'), 'MISS')
  assert.equal(s2.headers.get('x-llmgw-cache'), 'HIT')
  assert.equal(s2.headers.get('content-type'), 'text/event-stream')
  assert.equal(s2.text, s1.text)
  const m = await fetch(`${gw.url}/metrics`)
  if (m.status === 200) assert.match(await m.text(), /llmgw_cache_requests_total\{result="hit"\} [1-9]/i)
})

test('experiments split sticky users between variants and say which in x-llmgw-variant', async (t) => {
  const gw = await startTestGateway(
    `version: 1
providers:
  - { name: a, type: mock, mock: { latency: 1ms } }
  - { name: b, type: mock, mock: { latency: 1ms } }
models: [{ name: gpt-4o, targets: [{ provider: a, model: mock-1 }] }]
experiments:
  - name: canary
    model: gpt-4o
    stickyBy: header:x-user-id
    variants:
      - { name: control, weight: 50 }
      - { name: canary, weight: 50, target: { provider: b, model: mock-2 } }
`,
    { t },
  )
  const seen = new Map<string, string>()
  for (let i = 0; i < 20; i++) {
    const user = `user-${i}`
    const r = await post(gw.url, chat('hi'), { 'x-user-id': user })
    assert.equal(r.status, 200)
    const v = r.headers.get('x-llmgw-variant')!
    assert.equal(r.headers.get('x-llmgw-provider'), v === 'canary' ? 'b' : 'a')
    seen.set(user, v)
    const again = await post(gw.url, chat('hi'), { 'x-user-id': user })
    assert.equal(again.headers.get('x-llmgw-variant'), v, 'sticky per user')
  }
  assert.deepEqual(new Set(seen.values()), new Set(['control', 'canary']))
})

test('concurrent embeddings requests share one upstream call when batching is on', async (t) => {
  const mock = await startTestMock({ t, latencyMs: 1 })
  const gw = await startTestGateway(
    `version: 1
providers: [{ name: up, type: openai, baseUrl: ${mock.url}/v1 }]
models: [{ name: emb, targets: [{ provider: up, model: text-embedding-3-small }] }]
batching: { embeddings: { maxBatch: 64, maxWait: 30ms } }
`,
    { t },
  )
  const before = mock.stats().requests
  const inputs = ['alpha', 'beta', 'gamma', 'delta']
  const answers = await Promise.all(
    inputs.map(async (input) => {
      const res = await fetch(`${gw.url}/v1/embeddings`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'emb', input }) })
      assert.equal(res.status, 200)
      return (await res.json()) as { data: Array<{ index: number; embedding: number[] }>; usage: { prompt_tokens: number } }
    }),
  )
  assert.equal(mock.stats().requests - before, 1, 'four clients, one upstream call')
  for (const a of answers) {
    assert.equal(a.data.length, 1)
    assert.equal(a.data[0]!.index, 0)
    assert.ok(a.data[0]!.embedding.length > 0)
  }
  const direct = await fetch(`${mock.url}/v1/embeddings`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'text-embedding-3-small', input: 'gamma' }) })
  const expected = ((await direct.json()) as { data: Array<{ embedding: number[] }> }).data[0]!.embedding
  assert.deepEqual(answers[2]!.data[0]!.embedding, expected, 'each client gets the vector for its own input')
})
