/** gpt-tokenizer is loaded on the event loop only when something counts prompt tokens there (compile/gateway.ts). */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { specSchema } from '../spec/schema.js'
import { compileGateway, countsPromptTokens } from './gateway.js'
import { tokenizerRequested } from './estimate.js'
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

// One process per test file (node --test): nothing else here asked for the tokenizer before these run, in this order.
test('compileGateway asks for the tokenizer only for a plan that counts tokens', async () => {
  const compile = (extra: Record<string, unknown>) => compileGateway(planGateway(specSchema.parse({ ...base, ...extra })))
  const rpmOnly = compile(key({ limits: { rpm: 10, concurrency: 2 } }))
  assert.equal(tokenizerRequested(), false, 'rpm and concurrency limits need no tokenizer')
  const tpm = compile(key({ limits: { tpm: 1000 } }))
  assert.equal(tokenizerRequested(), true, 'a tpm limit loads it')
  await Promise.all([rpmOnly.retire(), tpm.retire()])
})
