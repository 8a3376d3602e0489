import { test } from 'node:test'
import assert from 'node:assert/strict'
import { isPlainContentChunk } from './sse-plain.js'

const ev = (json: string) => `data: ${json}\n\n`
const content = ev('{"choices":[{"index":0,"delta":{"content":"hi"},"finish_reason":null}],"usage":null}')

test('whole single-line content events are plain', () => {
  for (const s of [
    content,
    content + content,
    'data:{"choices":[{"delta":{"content":"x"},"finish_reason":null}],"usage":null}\n\n',
    ev('{"usage":null,"choices":[{"delta":{"content":"x"},"finish_reason":null}]}'),
    ev('{"choices":[{"delta":{"content":"the \\"usage\\" and \\"error\\" words"},"finish_reason":null}]}'),
  ])
    assert.equal(isPlainContentChunk(Buffer.from(s)), true, s)
})

test('anything the relay must look at is not plain', () => {
  const cases: Record<string, string> = {
    'partial event': content.slice(0, -1),
    'partial second event': content + content.slice(0, 20),
    'usage object': ev('{"choices":[],"usage":{"prompt_tokens":1}}'),
    'finish reason': ev('{"choices":[{"delta":{},"finish_reason":"stop"}],"usage":null}'),
    'error key': ev('{"error":{"message":"x"}}'),
    done: content + 'data: [DONE]\n\n',
    'CRLF line ends': content.replace(/\n/g, '\r\n'),
    'event field': 'event: message\n' + content,
    comment: ': keepalive\n\n' + content,
    'multi-line data': 'data: {"a":\ndata: 1}\n\n',
    'not an object': ev('[1,2]'),
    'not JSON-shaped': ev('<html>'),
    'usage last but not null-shaped tail': ev('{"choices":[{"delta":{"content":"x"},"finish_reason":null}],"usage":null,"x":1}'),
    'spaced keys': ev('{"choices":[{"delta":{"content":"x"},"finish_reason": null}], "usage": null}'),
    'error event': ev('{"error":{"message":"x"},"choices":[{"finish_reason":null}]}').replace('}]}', '}],"usage":{}}'),
    'empty data': 'data:\n\n',
    empty: '',
    'blank line only': '\n\n',
  }
  for (const [name, s] of Object.entries(cases)) assert.equal(isPlainContentChunk(Buffer.from(s)), false, name)
})

test('never throws, whatever the bytes (property)', () => {
  const alphabet = ['data:', ' ', '{', '}', '\n', '\r', '"usage"', ':', 'null', '"finish_reason"', 'x', '[DONE]']
  for (let i = 0; i < 5000; i++) {
    let s = ''
    const n = Math.floor(Math.random() * 12)
    for (let j = 0; j < n; j++) s += alphabet[Math.floor(Math.random() * alphabet.length)]
    assert.equal(typeof isPlainContentChunk(Buffer.from(s)), 'boolean', JSON.stringify(s))
  }
})

test('plainRunEnd: the run stops before the first event the relay must see, at an event boundary', async () => {
  const { plainRunEnd } = await import('./sse-plain.js')
  const first = ev('{"model":"m","choices":[{"delta":{"role":"assistant","content":""},"finish_reason":null}],"usage":null}')
  const finish = ev('{"choices":[{"delta":{},"finish_reason":"stop"}],"usage":null}')
  const usage = ev('{"choices":[],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}}')
  const done = 'data: [DONE]\n\n'
  const whole = Buffer.from(first + content + content + finish + usage + done)
  assert.equal(plainRunEnd(whole, 0), Buffer.byteLength(first + content + content), 'the first event is plain too (the relay parses it for its model)')
  assert.equal(plainRunEnd(whole, Buffer.byteLength(first)), Buffer.byteLength(first + content + content))
  assert.equal(plainRunEnd(Buffer.from(content + ': ping\n\n' + content), 0), Buffer.byteLength(content), 'a comment ends the run')
  assert.equal(plainRunEnd(Buffer.from(content + content.slice(0, 30)), 0), Buffer.byteLength(content), 'an unfinished event ends the run')
  assert.equal(plainRunEnd(Buffer.from(finish + content), 0), 0)
})
