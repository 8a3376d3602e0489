/** Relay: a stream's last bytes go out with the end of the response, in order, and never get stuck. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { GatewayError } from '../core/errors.js'
import type { HeaderPairs, Sink } from '../core/types.js'
import { Relay } from './relay.js'
import type { RuntimeTarget } from './target.js'

/** A Sink that records each call, so one write + end can be told from write + write + end. */
function callSink() {
  const calls: string[] = []
  const text = (b: string | Uint8Array | undefined) => (b === undefined ? '' : typeof b === 'string' ? b : Buffer.from(b).toString())
  const sink: Sink = {
    isAborted: false,
    isStarted: false,
    send: (_s: number, _h: HeaderPairs, body) => void calls.push(`send:${text(body)}`),
    start() { (sink as { isStarted: boolean }).isStarted = true },
    write: (c) => (calls.push(`write:${text(c)}`), true),
    drained: () => Promise.resolve(),
    end: (c) => void calls.push(`end:${text(c)}`),
  }
  return { sink, calls }
}

const target = { provider: 'p', model: 'm', headers: [] } as unknown as RuntimeTarget

function streamRelay() {
  const { sink, calls } = callSink()
  const relay = new Relay(sink, true, 'openai', [], { target, attempts: 1, clientModel: 'm' })
  relay.begin('text/event-stream')
  return { relay, calls }
}

test('the last bytes of a stream go out with its end: one write less', () => {
  const { relay, calls } = streamRelay()
  relay.chunk('data: a\n\n')
  relay.last('data: [DONE]\n\n')
  relay.finish(undefined)
  assert.deepEqual(calls, ['write:data: a\n\n', 'end:data: [DONE]\n\n'])
})

test('held last bytes wait for the end (a reader hands them over only from its end), with no timer of their own', async () => {
  const { relay, calls } = streamRelay()
  relay.last('data: [DONE]\n\n')
  await new Promise((r) => setImmediate(r))
  assert.deepEqual(calls, [])
  relay.finish(undefined)
  assert.deepEqual(calls, ['end:data: [DONE]\n\n'])
})

test('bytes after last(), and a failure after it, keep their order', () => {
  const { relay, calls } = streamRelay()
  relay.last('x1')
  relay.last('x2')
  relay.chunk('y')
  relay.last('z')
  relay.fail(new GatewayError('upstream_error', 'boom'))
  assert.equal(calls[0], 'write:x1x2')
  assert.equal(calls[1], 'write:y')
  assert.equal(calls[2], 'write:z')
  assert.match(calls[3]!, /^write:.*boom/s)
  assert.equal(calls[4], 'end:')
})
