/** The Plan (STYLE §2.1, issue 14 part 1): complete, plain data, pure, and sharing no object with the Spec it came from. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Secret } from '../core/secret.js'
import { specSchema, type Spec } from '../spec/schema.js'
import { planGateway } from './plan-gateway.js'

/** A spec that sets every section the Plan resolves: auth, limits, rules, cache, experiments, batching, protection, protocols. */
const FULL_SPEC = {
  version: 1,
  admin: { token: 'admin-token-secret' },
  providers: [
    { name: 'oa', type: 'openai', apiKey: 'sk-live-provider-secret', headers: { 'x-org': 'org-secret' }, breaker: { failureRate: 0.4 }, queue: { size: 8 } },
    { name: 'sim', type: 'mock', mock: { latency: '5ms' } },
    { name: 'tr', type: 'grpc', baseUrl: 'http://127.0.0.1:9000', grpc: { preset: 'kserve-v2' } },
    {
      name: 'gq',
      type: 'graphql',
      baseUrl: 'http://127.0.0.1:9001/graphql',
      graphql: { document: 'query($p: String!) { gen(prompt: $p) { text } }', variables: { p: 'prompt', t: { const: 1 } }, response: { text: 'gen.text' } },
    },
  ],
  models: [
    {
      name: 'gpt',
      targets: [{ provider: 'oa', model: 'gpt-4o' }, { provider: 'sim', model: 'x', weight: 2 }],
      retry: { attempts: 3 },
      fallback: ['cheap'],
      cache: { ttl: '1m' },
      context: { maxInputTokens: 1000 },
      pricing: { input: 1, output: 2 },
      degrade: { message: 'try later' },
    },
    { name: 'cheap', targets: [{ provider: 'tr', model: 'y' }] },
    { name: 'team-*', targets: [{ provider: 'gq', model: '*' }] },
  ],
  keys: [
    { id: 'alice', key: 'llmgw-alice-secret', models: ['gpt'], limits: { rpm: 10 }, budget: { usd: 5 }, metadata: { team: 'a' } },
    { id: 'bob', hash: `sha256:${'0'.repeat(64)}` },
  ],
  auth: { jwt: { secret: 'jwt-hs256-secret', audience: ['a', 'b'] } },
  limits: { perIp: { rpm: 100 }, global: { rps: 50 } },
  rules: [
    { type: 'content-filter', words: ['bad'], scope: ['request', 'response'], models: ['gpt'] },
    { type: 'system-prompt', text: 'be brief' },
    { type: 'deny', when: { header: { 'x-tier': 'free' } } },
  ],
  experiments: [{ name: 'canary', model: 'gpt', stickyBy: 'header:x-user', variants: [{ name: 'a', weight: 9 }, { name: 'b', weight: 1, target: { provider: 'sim', model: 'z' } }], rollback: { maxErrorRate: 0.2 } }],
  batching: { embeddings: { maxBatch: 16 } },
}

const fullSpec = (): Spec => specSchema.parse(FULL_SPEC)

/** Every object reachable from `root` (Secrets are immutable values: not walked, listed apart). */
function objectsOf(root: unknown): { objects: Set<object>; secrets: Set<Secret>; keys: Set<string>; protos: Set<object | null> } {
  const objects = new Set<object>()
  const secrets = new Set<Secret>()
  const keys = new Set<string>()
  const protos = new Set<object | null>()
  const walk = (v: unknown): void => {
    if (v === null || typeof v !== 'object') {
      assert.notEqual(typeof v, 'function', 'the Plan holds no functions')
      return
    }
    if (v instanceof Secret) return void secrets.add(v)
    if (objects.has(v)) return
    objects.add(v)
    protos.add(Object.getPrototypeOf(v))
    for (const [k, x] of Object.entries(v)) {
      keys.add(k)
      walk(x)
    }
  }
  walk(root)
  return { objects, secrets, keys, protos }
}

test('the Plan shares no object with the Spec and has no spec back-reference', () => {
  const spec = fullSpec()
  const plan = planGateway(spec)
  const p = objectsOf(plan)
  const s = objectsOf(spec)
  const shared = [...p.objects].filter((o) => s.objects.has(o))
  assert.deepEqual(shared.map((o) => JSON.stringify(o).slice(0, 80)), [], 'objects the Plan shares with the Spec')
  assert.ok(!p.keys.has('spec'), 'no `spec` field anywhere in the Plan')
  // Plain data: only plain objects and arrays (and Secret values, which print as "[redacted]").
  assert.deepEqual([...p.protos].filter((x) => x !== Object.prototype && x !== Array.prototype), [])
  assert.equal(p.secrets.size, 4, 'admin token, provider apiKey, alice key, jwt secret: still wrapped')
})

test('the Plan covers auth, limits, rules, cache, experiments, batching, protection and protocol settings', () => {
  const plan = planGateway(fullSpec())
  assert.equal(plan.access.auth.required, true)
  assert.deepEqual(plan.access.auth.jwt?.audience, ['a', 'b'])
  assert.deepEqual(plan.access.limits, { perIp: { rpm: 100 }, global: { rps: 50 } })
  assert.deepEqual(plan.access.keys.map((k) => k.id), ['alice', 'bob'])
  assert.deepEqual(plan.rules.map((r) => r.type), ['content-filter', 'system-prompt', 'deny'])
  const gpt = plan.models.find((m) => m.name === 'gpt')!
  assert.deepEqual(gpt.chain, ['gpt', 'cheap'])
  assert.equal(gpt.cache?.ttlMs, 60_000)
  assert.deepEqual(gpt.rules.map((r) => r.rule), [0, 1, 2])
  assert.deepEqual(plan.models.find((m) => m.name === 'cheap')!.rules.map((r) => r.rule), [1, 2], 'the content filter is scoped to gpt')
  assert.equal(plan.experiments[0]?.targets[1]?.model, 'z')
  assert.deepEqual(plan.batching.embeddings, { maxBatch: 16, maxWaitMs: 5 })
  const oa = plan.providers.find((p) => p.name === 'oa')!
  assert.equal(oa.guard.queue.size, 8)
  assert.equal(oa.guard.breaker?.failureRate, 0.4)
  assert.equal(plan.providers.find((p) => p.name === 'gq')!.config.graphql?.response.text, 'gen.text')
  assert.ok(plan.headerNames.includes('x-tier') && plan.headerNames.includes('x-user') && plan.headerNames.includes('cache-control'))
})

test('planGateway is pure: the same Spec gives a deep-equal Plan, and planning leaves the Spec unchanged', () => {
  const spec = fullSpec()
  const before = JSON.stringify(spec)
  const a = planGateway(spec)
  const b = planGateway(spec)
  assert.deepEqual(a, b)
  assert.notEqual(a.models, b.models)
  assert.equal(JSON.stringify(spec), before)
})
