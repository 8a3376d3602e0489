/** The SPEC §3 example loads, and its values come out typed: ms, bytes, Secrets, defaults (the contract others use). */
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { test } from 'node:test'
import { Secret } from '../core/secret.js'
import { packageRoot } from '../core/package-root.js'
import { loadSpec } from './load.js'

const ENV = { OPENAI_API_KEY: 'sk-openai', ANTHROPIC_API_KEY: 'sk-ant', TEAM_A_KEY: 'team-a-key' }

test('the SPEC §3 example is valid, with only the two warnings it deserves', async () => {
  const r = await loadSpec({ file: join(packageRoot(), 'fixtures', 'specs', 'valid', 'spec-example.yaml'), env: ENV })
  assert.ok(r.ok, JSON.stringify(r))
  assert.deepEqual(r.warnings.map((w) => [w.rule, w.line]), [['missing-timeout', 28], ['budget-without-pricing', 56]])
  const { spec } = r

  assert.equal(spec.server.maxBodySize, 4 * 1024 * 1024)
  assert.equal(spec.server.sseKeepalive, 15_000)
  assert.deepEqual(spec.admin, { port: 9090, token: undefined }, '`${env:X:-}` means no token')

  const [openai, claude, sim] = spec.providers
  assert.ok(openai?.apiKey instanceof Secret && openai.apiKey.reveal() === 'sk-openai')
  assert.deepEqual(openai.breaker, { failureRate: 0.5, minRequests: 20, window: 10_000, cooldown: 30_000, halfOpenProbes: 3 })
  assert.deepEqual(openai.queue, { size: 1024, timeout: 2000 })
  assert.equal(claude?.baseUrl, 'https://api.anthropic.com')
  assert.equal(claude?.timeout, 60_000)
  assert.deepEqual(sim?.mock, { latency: 20, tokensPerSecond: 200, failRate: 0 })
  assert.equal(sim?.baseUrl, undefined)

  const gpt = spec.models[0]
  assert.deepEqual(gpt?.retry, { attempts: 2, backoff: 100, on: [429, '5xx', 'timeout', 'connect'] })
  assert.deepEqual(gpt?.targets.map((t) => t.weight), [9, 1])
  assert.equal(gpt?.cache?.ttl, 300_000)
  assert.deepEqual(gpt?.context, { maxInputTokens: 6000, strategy: 'drop-oldest' })
  assert.equal(spec.models[1]?.strategy, 'weighted')
  assert.deepEqual(spec.models[1]?.fallback, [])

  const key = spec.keys[0]
  assert.equal(key?.key?.reveal(), 'team-a-key')
  assert.equal(key?.expires, '2027-01-01T00:00:00.000Z')
  assert.deepEqual(key?.budget, { usd: 50, per: 'day' })
  assert.equal(spec.auth.required, true)
  assert.equal(spec.auth.jwt?.keyClaim, 'sub')

  assert.deepEqual(spec.rules.map((x) => x.type), ['content-filter', 'system-prompt', 'deny'])
  assert.equal(spec.experiments[0]?.rollback?.maxP95, 3000)
  assert.equal(spec.experiments[0]?.rollback?.window, 60_000)
  assert.deepEqual(spec.batching.embeddings, { maxBatch: 64, maxWait: 5 })
  assert.equal(spec.state.redis?.url?.reveal(), 'redis://127.0.0.1:6379')
  assert.equal(spec.observability.tracing?.sampleRatio, 0.1)
  assert.doesNotMatch(JSON.stringify(spec), /sk-openai|sk-ant|team-a-key/)
})
