import { test } from 'node:test'
import assert from 'node:assert/strict'
import { isPlainContentChunk } from './sse-plain.js'

const ev = (json: string) => `data: ${json}\n\n`
const content = ev('{"choices":[{"index":0,"delta":{"content":"hi"},"finish_reason":null}],"usage":null}')

test('whole single-line content events are plain', () => {
  for (const s of [
    content,
    content + content,
    'data:{"choices":[{"delta":{"content":"x"},"finish_reason" : null}],"usage": null}\n\n',
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
