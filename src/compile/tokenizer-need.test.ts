/** gpt-tokenizer is loaded on the event loop only when something counts prompt tokens there (compile/gateway.ts). */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { specSchema } from '../spec/schema.js'
import { countsPromptTokens } from './gateway.js'
import { planGateway } from './plan-gateway.js'

const base = {
  version: 1,
  providers: [{ name: 'sim', type: 'mock' }],
  models: [{ name: 'm', targets: [{ provider: 'sim', model: 'x' }] }],
}
const needs = (extra: Record<string, unknown>): boolean => countsPromptTokens(planGateway(specSchema.parse({ ...base, ...extra })))
const key = (more: Record<string, unknown>) => ({ keys: [{ id: 'k', key: 'client-key-1', ...more }] })

test('rpm, concurrency, per-IP rpm and global limits count no tokens: no tokenizer in this thread', () => {
  assert.equal(needs({}), false)
  assert.equal(needs(key({ limits: { rpm: 10, concurrency: 2 } })), false)
  assert.equal(needs({ limits: { perIp: { rpm: 5, concurrency: 1 }, global: { rps: 100, concurrency: 10 } } }), false)
  assert.equal(needs({ rules: [{ type: 'system-prompt', text: 'be brief' }] }), false)
})

test('tpm (per key or per IP), a budget or context trimming count prompt tokens: the tokenizer is loaded', () => {
  assert.equal(needs(key({ limits: { tpm: 1000 } })), true)
  assert.equal(needs(key({ budget: { usd: 5, per: 'day' } })), true)
  assert.equal(needs({ limits: { perIp: { tpm: 1000 } } }), true)
  assert.equal(needs({ models: [{ name: 'm', targets: [{ provider: 'sim', model: 'x' }], context: { maxInputTokens: 100 } }] }), true)
})
