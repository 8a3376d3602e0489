/** `serve --dashboard` keeps the spec's access log (SPEC §2 serve, §3 observability.accessLog): it was switched off whole. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createJsonLog } from '../app/json-log.js'
import { serveStartOptions } from './serve.js'

test('serve does not switch the access log off when the dashboard shows (observe.ts decides per destination)', () => {
  const log = createJsonLog(() => {})
  const withDash = serveStartOptions({ config: 'spec.yaml', watch: false }, true, log)
  assert.equal(withDash.dashboard, true)
  assert.notEqual(withDash.accessLog, false)
  const without = serveStartOptions({ config: 'spec.yaml', watch: true, port: 9 }, false, log)
  assert.equal(without.accessLog, undefined)
  assert.deepEqual({ ...without, log: undefined }, { file: 'spec.yaml', port: 9, watch: true, dashboard: false, log: undefined })
})
