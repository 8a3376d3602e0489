import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ClientSignal } from './cancel.js'

test('ClientSignal: listeners run once, in order; removed ones do not run; late ones never run', () => {
  const s = new ClientSignal()
  const seen: string[] = []
  const a = () => seen.push('a')
  const b = () => seen.push('b')
  const c = () => seen.push('c')
  s.addEventListener('abort', a)
  s.addEventListener('abort', b)
  s.addEventListener('abort', c)
  s.removeEventListener('abort', b)
  assert.equal(s.aborted, false)
  s.abort()
  s.abort()
  assert.deepEqual(seen, ['a', 'c'])
  assert.equal(s.aborted, true)
  assert.equal((s.reason as DOMException).name, 'AbortError')
  s.addEventListener('abort', () => seen.push('late'))
  assert.deepEqual(seen, ['a', 'c'])
})

test('ClientSignal: the single-listener slot is reusable after removal, and a given reason is kept', () => {
  const s = new ClientSignal()
  let n = 0
  const f = () => n++
  s.addEventListener('abort', f)
  s.removeEventListener('abort', f)
  s.addEventListener('abort', f)
  const why = new Error('timeout')
  s.abort(why)
  assert.equal(n, 1)
  assert.equal(s.reason, why)
})

test('ClientSignal: a listener that throws is reported as a warning and the others still run', async () => {
  const s = new ClientSignal()
  const warnings: Error[] = []
  const onWarning = (w: Error) => warnings.push(w)
  process.on('warning', onWarning)
  let ran = false
  s.addEventListener('abort', () => { throw new Error('boom') })
  s.addEventListener('abort', () => { ran = true })
  s.abort()
  await new Promise((r) => setImmediate(r))
  process.off('warning', onWarning)
  assert.equal(ran, true)
  assert.ok(warnings.some((w) => w.message === 'boom'), 'the throw is reported')
})
