import assert from 'node:assert/strict'
import test from 'node:test'
import { copyRecord } from './record.js'

test('copyRecord is a shallow { ...src }: same own keys in order, same values, a new object', () => {
  const src = JSON.parse('{"model":"m","messages":[{"role":"user","content":"hi"}],"n":1,"stream":true,"x":null}')
  const copy = copyRecord(src)
  assert.notEqual(copy, src)
  assert.deepEqual(Object.keys(copy), Object.keys(src))
  assert.deepEqual(copy, { ...src })
  assert.equal(copy.messages, src.messages) // shallow
  copy.model = 'other'
  assert.equal(src.model, 'm')
})

test('copyRecord keeps a client-sent __proto__ key as data, as a spread does, and never as the prototype', () => {
  const src = JSON.parse('{"model":"m","__proto__":{"polluted":true}}')
  const copy = copyRecord(src)
  assert.equal(Object.getPrototypeOf(copy), Object.prototype)
  assert.equal((copy as { polluted?: unknown }).polluted, undefined)
  assert.deepEqual(Object.keys(copy), ['model', '__proto__'])
  assert.equal(JSON.stringify(copy), JSON.stringify({ ...src }))
})
