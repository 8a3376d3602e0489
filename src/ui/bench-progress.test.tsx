/** The `llmgw bench` ink progress view (SPEC §2): scenario, elapsed/total and live req/s. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import React from 'react'
import { render } from 'ink-testing-library'
import { BenchProgress } from './bench-progress.js'
import type { Progress } from '../bench/session.js'

const feed = (p: Progress | undefined) => ({ current: () => p })

test('shows the scenario, its place in the run, elapsed/total and live req/s', () => {
  const p: Progress = { scenario: 'chat-stream', side: 'gateway', index: 1, total: 5, elapsedMs: 4000, totalMs: 10_000, reqPerSec: 12345 }
  const { lastFrame, unmount } = render(<BenchProgress feed={feed(p)} />)
  const f = lastFrame() ?? ''
  unmount()
  assert.match(f, /chat-stream \(2\/5\) through the gateway/)
  assert.match(f, /4s \/ 10s/)
  assert.match(f, /12,345 req\/s/)
})

test('says what it is doing before the first run', () => {
  const starting = render(<BenchProgress feed={feed({ scenario: '', side: 'starting', index: 0, total: 5, elapsedMs: 0, totalMs: 0, reqPerSec: 0 })} />)
  assert.match(starting.lastFrame() ?? '', /starting mock \+ gateway/)
  starting.unmount()
  const none = render(<BenchProgress feed={feed(undefined)} />)
  assert.match(none.lastFrame() ?? '', /preparing/)
  none.unmount()
})
