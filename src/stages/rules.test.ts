/** Rules (SPEC §3 rules): deny, system-prompt and content-filter as compiled guards. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { GatewayError } from '../core/errors.js'
import { fakeCall } from '../testing/fake-call.js'
import { compileDeny, denyHeaderNames } from './deny.js'
import { compileSystemPrompt } from './system-prompt.js'
import { compileRequestFilter, compileResponseFilter, parseWordsFile } from './content-filter.js'

const chat = (content: string, extra: Record<string, unknown> = {}) => ({ model: 'gpt-4o', messages: [{ role: 'user', content }], ...extra })
const code = (f: () => unknown): string | undefined => {
  try {
    f()
    return undefined
  } catch (e) {
    assert.ok(e instanceof GatewayError)
    return e.code
  }
}

test('deny refuses only when every condition holds, with 400 request_denied and the rule message', () => {
  const rule = { when: { model: 'gpt-4o', header: { 'X-Env': 'dev' } }, message: 'gpt-4o is not available from dev' }
  assert.deepEqual(denyHeaderNames(rule), ['x-env'])
  const g = compileDeny(rule)!
  assert.equal(code(() => g(fakeCall({ body: chat('hi'), headers: { 'x-env': 'dev' } }))), 'request_denied')
  assert.equal(code(() => g(fakeCall({ body: chat('hi'), headers: { 'x-env': 'prod' } }))), undefined)
  assert.equal(code(() => g(fakeCall({ body: chat('hi'), model: 'gpt-4o-mini', headers: { 'x-env': 'dev' } }))), undefined)
  try {
    g(fakeCall({ body: chat('hi'), headers: { 'x-env': 'dev' } }))
  } catch (e) {
    assert.equal((e as GatewayError).message, 'gpt-4o is not available from dev')
    assert.equal((e as GatewayError).status, 400)
  }
})

test('deny decides the model condition at compile time for exact model names', () => {
  assert.equal(compileDeny({ when: { model: 'gpt-*' }, message: 'no' }, 'claude-sonnet'), null)
  const g = compileDeny({ when: { model: 'gpt-*' }, message: 'no' }, 'gpt-4o')!
  assert.equal(code(() => g(fakeCall({ body: chat('x') }))), 'request_denied')
})

test('deny matches key ids and IPv4 CIDRs', () => {
  const byKey = compileDeny({ when: { key: 'team-*' }, message: 'no' })!
  assert.equal(code(() => byKey(fakeCall({ body: chat('x'), keyId: 'team-a' }))), 'request_denied')
  assert.equal(code(() => byKey(fakeCall({ body: chat('x'), keyId: 'ops' }))), undefined)
  assert.equal(code(() => byKey(fakeCall({ body: chat('x') }))), undefined)
  const byIp = compileDeny({ when: { ip: '10.1.0.0/16' }, message: 'no' })!
  assert.equal(code(() => byIp(fakeCall({ body: chat('x'), ip: '10.1.2.3' }))), 'request_denied')
  assert.equal(code(() => byIp(fakeCall({ body: chat('x'), ip: '::ffff:10.1.9.9' }))), 'request_denied')
  assert.equal(code(() => byIp(fakeCall({ body: chat('x'), ip: '10.2.0.1' }))), undefined)
})

test('system-prompt prepends, or replaces the client system messages', () => {
  const body = { model: 'm', messages: [{ role: 'system', content: 'old' }, { role: 'user', content: 'hi' }] }
  const cx = fakeCall({ body: structuredClone(body) })
  compileSystemPrompt({ text: 'You are helpful.', mode: 'prepend' })(cx)
  assert.deepEqual(cx.body.messages, [{ role: 'system', content: 'You are helpful.' }, ...body.messages])
  const cx2 = fakeCall({ body: structuredClone(body) })
  compileSystemPrompt({ text: 'Only this.', mode: 'replace' })(cx2)
  assert.deepEqual(cx2.body.messages, [{ role: 'system', content: 'Only this.' }, { role: 'user', content: 'hi' }])
  const emb = fakeCall({ body: { model: 'e', input: 'x' }, endpoint: 'embeddings' })
  compileSystemPrompt({ text: 'x', mode: 'prepend' })(emb)
  assert.deepEqual(emb.body, { model: 'e', input: 'x' })
})

test('content-filter block refuses requests with a listed word (case-insensitive, in text parts too)', () => {
  const g = compileRequestFilter({ words: ['secret-project'], action: 'block', scope: ['request'] })!
  assert.equal(code(() => g(fakeCall({ body: chat('tell me about the Secret-Project plans') }))), 'content_filtered')
  assert.equal(code(() => g(fakeCall({ body: chat('tell me about secrets') }))), undefined)
  const parts = { model: 'm', messages: [{ role: 'user', content: [{ type: 'text', text: 'secret-project' }] }] }
  assert.equal(code(() => g(fakeCall({ body: parts }))), 'content_filtered')
  const emb = fakeCall({ body: { model: 'e', input: ['fine', 'secret-project'] }, endpoint: 'embeddings' })
  assert.equal(code(() => g(emb)), 'content_filtered')
})

test('content-filter mask replaces words with *** and respects word boundaries', () => {
  const g = compileRequestFilter({ words: ['ass'], action: 'mask', scope: ['request'] })!
  const cx = fakeCall({ body: chat('a class act, you ass') })
  g(cx)
  assert.equal((cx.body.messages as Array<{ content: string }>)[0]!.content, 'a class act, you ***')
})

test('content-filter response scope masks or blocks answer text; request-only rules leave responses alone', () => {
  assert.equal(compileResponseFilter({ words: ['x'], action: 'mask', scope: ['request'] }), null)
  const mask = compileResponseFilter({ words: ['banana'], action: 'mask', scope: ['response'] })!
  assert.equal(mask('data: {"content":"a Banana split"}\n\n'), 'data: {"content":"a *** split"}\n\n')
  const block = compileResponseFilter({ words: ['banana'], action: 'block', scope: ['request', 'response'] })!
  const r = block('{"content":"banana"}')
  assert.ok(r instanceof GatewayError && r.code === 'content_filtered')
  assert.equal(block('{"content":"apple"}'), '{"content":"apple"}')
})

test('wordsFile lines: blanks and comments ignored', () => {
  assert.deepEqual(parseWordsFile('# blocked\nalpha\n\n  beta  \r\n#gamma\n'), ['alpha', 'beta'])
})
