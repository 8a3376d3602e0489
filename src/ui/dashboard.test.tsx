/** Tests for ui/dashboard.tsx: rows render from DashboardData, polling picks up changes, q and Ctrl-C quit. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import React from 'react'
import { render } from 'ink-testing-library'
import { Dashboard } from './dashboard.js'
import { demoDashboardData } from './dashboard-demo.js'
import { cell, formatMs, formatUsd } from './dashboard-format.js'
import type { DashboardData } from '../observe/snapshot.js'

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms))

test('renders the header, model rows, provider rows and last errors', (t) => {
  const now = Date.now()
  const app = render(<Dashboard read={() => demoDashboardData(now)} onQuit={() => {}} now={() => now} />)
  t.after(() => app.unmount())
  const frame = app.lastFrame() ?? ''
  assert.match(frame, /http:\/\/127\.0\.0\.1:8080/)
  assert.match(frame, /llmgw\.config\.yaml/)
  assert.match(frame, /reload error 12s ago/)
  assert.match(frame, /reload failed, old spec serving: llmgw\.config\.yaml:14:7 unknown provider/)
  assert.match(frame, /req\/s 842\.5/)
  assert.match(frame, /p99 2\.40s/)
  assert.match(frame, /gpt-4o\s+700\.2\s+2\.10s\s+41,000\s+\$123\.46/)
  assert.match(frame, /claude\s+open\s+12\s+7/)
  assert.match(frame, /503 upstream_unavailable\s+claude-sonnet\s+req-7f3a/)
})

test('polls read() and shows new values; never faster than 4 frames a second', async (t) => {
  let reads = 0
  let rps = 1
  const read = (): DashboardData => {
    reads++
    return { ...demoDashboardData(), requestsPerSec: rps }
  }
  const app = render(<Dashboard read={read} onQuit={() => {}} refreshMs={10} />)
  t.after(() => app.unmount())
  assert.match(app.lastFrame() ?? '', /req\/s 1\.00/)
  rps = 5000
  await tick(700)
  assert.match(app.lastFrame() ?? '', /req\/s 5,000/)
  assert.ok(reads <= 1 + 3 + 1, `read ${reads} times in 0.7 s`)
})

test('q and Ctrl-C call onQuit', async (t) => {
  let quits = 0
  const app = render(<Dashboard read={() => demoDashboardData()} onQuit={() => quits++} />)
  t.after(() => app.unmount())
  await tick(20)
  app.stdin.write('x')
  await tick(20)
  assert.equal(quits, 0)
  app.stdin.write('q')
  await tick(20)
  assert.equal(quits, 1)
  app.stdin.write('\u0003')
  await tick(20)
  assert.equal(quits, 2)
})

test('cells line up and formats read well', () => {
  assert.equal(cell('abc', 5), 'abc  ')
  assert.equal(cell('abcdefgh', 5), 'abcd…')
  assert.equal(cell('7', 3, 'right'), '  7')
  assert.equal(formatMs(0), '-')
  assert.equal(formatMs(999), '999ms')
  assert.equal(formatMs(61_000), '1m01s')
  assert.equal(formatUsd(0.00012), '$0.0001')
  assert.equal(formatUsd(12.345), '$12.35')
})
