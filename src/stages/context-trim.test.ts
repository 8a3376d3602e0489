/** Model context trimming (SPEC §3 models[].context): system + newest messages within maxInputTokens. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { fakeCall } from '../testing/fake-call.js'
import { compileContextTrim } from './context-trim.js'

const words = (t: string) => t.split(/\s+/).filter(Boolean).length // 1 token per word keeps the arithmetic visible
const msg = (role: string, n: number) => ({ role, content: Array.from({ length: n }, () => 'w').join(' ') })

test('under the budget nothing changes', () => {
  const body = { model: 'm', messages: [msg('system', 5), msg('user', 5)] }
  const cx = fakeCall({ body })
  compileContextTrim({ maxInputTokens: 100, strategy: 'drop-oldest' }, words)(cx)
  assert.equal((cx.body.messages as unknown[]).length, 2)
})

test('drops the oldest turns, keeps system messages and the newest that fit', () => {
  const messages = [msg('system', 10), msg('user', 30), msg('assistant', 30), msg('user', 30), msg('assistant', 10), msg('user', 10)]
  const cx = fakeCall({ body: { model: 'm', messages } })
  // budget 70: system 14 + newest 14 + 14 + 34 = 76 > 70, so only system + last two fit (42), then a user turn first
  compileContextTrim({ maxInputTokens: 70, strategy: 'drop-oldest' }, words)(cx)
  const kept = cx.body.messages as typeof messages
  assert.equal(kept[0], messages[0])
  assert.equal(kept.at(-1), messages[5])
  assert.ok(kept.every((m, i) => i === 0 || messages.indexOf(m) > 2))
  assert.equal(kept[1]!.role, 'user', 'the first turn after system is a user turn')
})

test('the newest message is kept even when it alone exceeds the budget', () => {
  const messages = [msg('user', 5), msg('user', 500)]
  const cx = fakeCall({ body: { model: 'm', messages } })
  compileContextTrim({ maxInputTokens: 50, strategy: 'drop-oldest' }, words)(cx)
  assert.deepEqual(cx.body.messages, [messages[1]])
})
