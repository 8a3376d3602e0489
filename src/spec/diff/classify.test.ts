/** How each kind of spec change is classified (SPEC §2 `llmgw diff`): one mutation of a rich base spec per row. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { parse as parseYaml } from 'yaml'
import { parseSpecText } from '../parse.js'
import type { Spec } from '../schema.js'
import { formatDiffJson, createDiffDocument } from './format.js'
import { diffSpecs } from './index.js'
import type { ChangeClass, DiffRow } from './types.js'

const BASE = `
version: 1
server: { host: 127.0.0.1, port: 8080, workers: 1, maxBodySize: 4mb, requestTimeout: 120s }
admin: { port: 9090, token: admin-SECRET-1 }
providers:
  - name: openai
    type: openai
    apiKey: sk-SECRET-1
    headers: { x-org: org-SECRET-1 }
    timeout: 60s
    connections: 128
    maxInFlight: 256
    breaker: { failureRate: 0.5, minRequests: 20, window: 10s, cooldown: 30s, halfOpenProbes: 3 }
  - name: sim
    type: mock
models:
  - name: gpt-4o
    targets:
      - { provider: openai, model: gpt-4o, weight: 9 }
      - { provider: sim, model: mock-1, weight: 1 }
    fallback: [backup]
    timeout: 60s
    pricing: { input: 2.5, output: 10 }
  - name: backup
    degrade: { message: busy }
    strategy: priority
    targets:
      - { provider: openai, model: gpt-4o-mini }
      - { provider: sim, model: mock-1 }
keys:
  - id: team-a
    key: llmgw-SECRET-a
    models: [gpt-4o, backup]
    limits: { rpm: 600, tpm: 100000 }
    budget: { usd: 50, per: day }
    expires: 2027-01-01T00:00:00Z
auth:
  jwt: { issuer: https://id.example.com, audience: llmgw, secret: jwt-SECRET-1 }
limits:
  perIp: { rpm: 1200 }
rules:
  - type: content-filter
    words: [project-x]
    action: block
  - type: system-prompt
    text: You are helpful.
  - type: deny
    when: { model: gpt-4o, header: { x-env: dev } }
experiments:
  - name: canary
    model: gpt-4o
    variants:
      - { name: control, weight: 95 }
      - { name: canary, weight: 5, target: { provider: sim, model: mock-1 } }
state: { store: memory }
observability: { metrics: true }
`

type Raw = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any -- test mutations reach anywhere

function load(raw: unknown): Spec {
  const r = parseSpecText(JSON.stringify(raw), 'spec.json', {})
  if (!r.ok) assert.fail(r.problems.map((p) => `${p.message} (${p.rule})`).join('; '))
  return r.spec
}

/** [what, mutation, expected path, class, needsRestart] */
const CASES: Array<[string, (s: Raw) => void, string, ChangeClass, boolean?]> = [
  ['model timeout lowered', (s) => (s.models[0].timeout = '10s'), 'models[gpt-4o].timeout', 'risky'],
  ['model cache turned on', (s) => (s.models[0].cache = { ttl: '5m' }), 'models[gpt-4o].cache', 'risky'],
  ['degrade added', (s) => (s.models[0].degrade = { message: 'busy' }), 'models[gpt-4o].degrade', 'risky'],
  ['degrade stale turned on', (s) => (s.models[1].degrade = { message: 'busy', stale: true }), 'models[backup].degrade.stale', 'risky'],
  ['fallback removed', (s) => (s.models[0].fallback = []), 'models[gpt-4o].fallback', 'risky'],
  ['price raised', (s) => (s.models[0].pricing.output = 15), 'models[gpt-4o].pricing.output', 'risky'],
  ['price lowered', (s) => (s.models[0].pricing.input = 1), 'models[gpt-4o].pricing.input', 'safe'],
  ['priority order swapped', (s) => s.models[1].targets.reverse(), 'models[backup].targets', 'risky'],
  ['target added', (s) => s.models[1].targets.push({ provider: 'sim', model: 'mock-2' }), 'models[backup].targets[sim/mock-2]', 'risky'],
  ['strategy changed', (s) => (s.models[0].strategy = 'least-inflight'), 'models[gpt-4o].strategy', 'risky'],
  ['connections lowered', (s) => (s.providers[0].connections = 16), 'providers[openai].connections', 'risky'],
  ['maxInFlight raised', (s) => (s.providers[0].maxInFlight = 512), 'providers[openai].maxInFlight', 'safe'],
  ['breaker tightened', (s) => (s.providers[0].breaker.failureRate = 0.3), 'providers[openai].breaker.failureRate', 'safe'],
  ['breaker removed', (s) => delete s.providers[0].breaker, 'providers[openai].breaker', 'risky'],
  ['baseUrl changed', (s) => (s.providers[0].baseUrl = 'https://proxy.example.com/v1'), 'providers[openai].baseUrl', 'risky'],
  ['upstream key changed', (s) => (s.providers[0].apiKey = 'sk-SECRET-2'), 'providers[openai].apiKey', 'risky'],
  ['upstream header changed', (s) => (s.providers[0].headers['x-org'] = 'org-SECRET-2'), 'providers[openai].headers.x-org', 'risky'],
  ['provider added', (s) => s.providers.push({ name: 'claude', type: 'anthropic' }), 'providers[claude]', 'safe'],
  ['key models widened', (s) => s.keys[0].models.push('claude-*'), 'keys[team-a].models', 'safe'],
  ['key models made unrestricted', (s) => delete s.keys[0].models, 'keys[team-a].models', 'safe'],
  ['key tpm removed', (s) => delete s.keys[0].limits.tpm, 'keys[team-a].limits.tpm', 'safe'],
  ['key concurrency added', (s) => (s.keys[0].limits.concurrency = 5), 'keys[team-a].limits.concurrency', 'breaking'],
  ['budget lowered', (s) => (s.keys[0].budget.usd = 10), 'keys[team-a].budget.usd', 'breaking'],
  ['budget raised', (s) => (s.keys[0].budget.usd = 100), 'keys[team-a].budget.usd', 'safe'],
  ['budget removed', (s) => delete s.keys[0].budget, 'keys[team-a].budget', 'safe'],
  ['expires earlier', (s) => (s.keys[0].expires = '2026-06-01T00:00:00Z'), 'keys[team-a].expires', 'breaking'],
  ['expires later', (s) => (s.keys[0].expires = '2028-01-01T00:00:00Z'), 'keys[team-a].expires', 'safe'],
  ['key added', (s) => s.keys.push({ id: 'team-b', key: 'llmgw-SECRET-b' }), 'keys[team-b]', 'safe'],
  ['jwt issuer changed', (s) => (s.auth.jwt.issuer = 'https://other.example.com'), 'auth.jwt.issuer', 'breaking'],
  ['jwt secret changed', (s) => (s.auth.jwt.secret = 'jwt-SECRET-2'), 'auth.jwt.secret', 'breaking'],
  ['jwt removed', (s) => delete s.auth.jwt, 'auth.jwt', 'breaking'],
  ['auth turned off', (s) => (s.auth.required = false), 'auth.required', 'risky'],
  ['per-IP rpm lowered', (s) => (s.limits.perIp.rpm = 100), 'limits.perIp.rpm', 'breaking'],
  ['global rps added', (s) => (s.limits.global = { rps: 100 }), 'limits.global.rps', 'breaking'],
  ['per-IP rpm raised', (s) => (s.limits.perIp.rpm = 5000), 'limits.perIp.rpm', 'safe'],
  ['blocked word added', (s) => s.rules[0].words.push('project-y'), 'rules[0:content-filter].words', 'breaking'],
  ['filter switched to mask', (s) => (s.rules[0].action = 'mask'), 'rules[0:content-filter].action', 'risky'],
  ['system prompt changed', (s) => (s.rules[1].text = 'You are terse.'), 'rules[1:system-prompt].text', 'risky'],
  ['deny widened', (s) => delete s.rules[2].when.header, 'rules[2:deny].when', 'breaking'],
  ['deny removed', (s) => s.rules.pop(), 'rules[2:deny]', 'risky'],
  ['mask filter added', (s) => s.rules.push({ type: 'content-filter', words: ['x'], action: 'mask' }), 'rules[3:content-filter]', 'risky'],
  ['rules reordered', (s) => s.rules.reverse(), 'rules', 'risky'],
  ['experiment weights', (s) => (s.experiments[0].variants[1].weight = 50), 'experiments[canary].variants', 'risky'],
  ['experiment removed', (s) => (s.experiments = []), 'experiments[canary]', 'risky'],
  ['port changed', (s) => (s.server.port = 8081), 'server.port', 'breaking', true],
  ['host changed', (s) => (s.server.host = '0.0.0.0'), 'server.host', 'breaking', true],
  ['workers changed', (s) => (s.server.workers = 4), 'server.workers', 'safe', true],
  ['admin port changed', (s) => (s.admin.port = 9091), 'admin.port', 'risky', true],
  ['body limit lowered', (s) => (s.server.maxBodySize = '1mb'), 'server.maxBodySize', 'breaking'],
  ['body limit raised', (s) => (s.server.maxBodySize = '8mb'), 'server.maxBodySize', 'safe'],
  ['request timeout raised', (s) => (s.server.requestTimeout = '10m'), 'server.requestTimeout', 'risky'],
  ['admin token rotated', (s) => (s.admin.token = 'admin-SECRET-2'), 'admin.token', 'risky'],
  ['state store moved', (s) => (s.state = { store: 'redis', redis: { url: 'redis://SECRET@127.0.0.1:6379' } }), 'state.store', 'risky'],
  ['metrics off', (s) => (s.observability.metrics = false), 'observability.metrics', 'safe'],
  ['tracing on', (s) => (s.observability.tracing = { otlpEndpoint: 'http://127.0.0.1:4318/v1/traces' }), 'observability.tracing', 'safe'],
]

const base = parseYaml(BASE) as Raw
const baseSpec = load(base)

test('identical specs, and reorderings that do not matter, give no rows', () => {
  assert.deepEqual(diffSpecs(baseSpec, load(base)), [])
  const shuffled = structuredClone(base)
  shuffled.models[0].targets.reverse() // weighted: order is irrelevant
  shuffled.providers.reverse()
  shuffled.models.reverse()
  assert.deepEqual(diffSpecs(baseSpec, load(shuffled)), [])
})

for (const [what, mutate, path, cls, restart = false] of CASES) {
  test(`${what}: ${path} is ${cls}${restart ? ', needs restart' : ''}`, () => {
    const next = structuredClone(base)
    mutate(next)
    const rows = diffSpecs(baseSpec, load(next))
    const row = rows.find((r: DiffRow) => r.path === path)
    assert.ok(row, `no row at ${path}; got ${JSON.stringify(rows.map((r) => r.path))}`)
    assert.equal(row.class, cls, row.note)
    assert.equal(row.needsRestart, restart)
    assert.ok(row.note.length > 0)
    const json = formatDiffJson(createDiffDocument({ file: 'a', version: 'x' }, { file: 'b', version: 'y' }, rows))
    assert.doesNotMatch(json, /SECRET/, 'a secret value leaked')
  })
}
