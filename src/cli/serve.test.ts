/** `serve` picks the dashboard only for a sized TTY (SPEC §2; QA F24: a size-less pty got one character per line). */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { shouldShowDashboard } from './serve.js'

test('the dashboard shows on a sized TTY unless --no-dashboard; never on a pipe or a TTY without a size', () => {
  assert.equal(shouldShowDashboard(undefined, { isTTY: true, columns: 120, rows: 40 }), true)
  assert.equal(shouldShowDashboard(false, { isTTY: true, columns: 120, rows: 40 }), false)
  assert.equal(shouldShowDashboard(true, { isTTY: false }), false)
  assert.equal(shouldShowDashboard(undefined, {}), false)
  assert.equal(shouldShowDashboard(undefined, { isTTY: true, columns: 0, rows: 0 }), false)
  assert.equal(shouldShowDashboard(undefined, { isTTY: true }), false)
})
