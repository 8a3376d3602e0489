/** The access log beside the dashboard (SPEC §3 observability.accessLog, §2 serve --dashboard): files are written, the terminal is not. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { RequestRecord } from '../core/pipeline.js'
import { parseSpecText } from '../spec/parse.js'
import { accessLogBesideDashboard, createAppObservability } from './observe.js'

test('accessLogBesideDashboard: a file always; stdout never; stderr only when it is not the terminal', () => {
  assert.equal(accessLogBesideDashboard('/var/log/llmgw/access.log', true), true)
  assert.equal(accessLogBesideDashboard('access.log', false), true)
  assert.equal(accessLogBesideDashboard('stdout', false), false)
  assert.equal(accessLogBesideDashboard('stdout', true), false)
  assert.equal(accessLogBesideDashboard('stderr', true), false)
  assert.equal(accessLogBesideDashboard('stderr', false), true)
})

function specWithLog(destination: string) {
  const r = parseSpecText(
    `version: 1
providers: [{ name: sim, type: mock }]
models: [{ name: m, targets: [{ provider: sim, model: m }] }]
observability: { accessLog: { format: json, destination: ${JSON.stringify(destination)} }, metrics: false }
`,
    'spec.yaml',
  )
  assert.ok(r.ok, JSON.stringify(!r.ok && r.problems))
  return r.spec
}

const record = { requestId: 'r-1', method: 'GET', path: '/v1/models', status: 200, time: Date.now(), ip: '127.0.0.1' } as unknown as RequestRecord

test('with the dashboard on, an access log to a file is created and written (it was silently off)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'llmgw-observe-'))
  try {
    const file = join(dir, 'access.log')
    const o = createAppObservability(specWithLog(file), 'v1', { accessLog: true, dashboard: true })
    assert.ok(o.snapshot, 'the dashboard snapshot is there')
    assert.ok(o.observer)
    o.observer.onStart()
    o.observer.onEnd({ ...record, latencyMs: 1, promptTokens: 0, completionTokens: 0, costUsd: 0, attempts: 1, stream: false } as RequestRecord)
    await o.close()
    assert.equal(existsSync(file), true)
    const line = JSON.parse(readFileSync(file, 'utf8').trim().split('\n')[0]!) as { reqId: string; status: number }
    assert.equal(line.reqId, 'r-1')
    assert.equal(line.status, 200)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('with the dashboard on, an access log to stdout is left out (the dashboard owns the screen); without it, it is kept', async () => {
  const withDash = createAppObservability(specWithLog('stdout'), 'v1', { accessLog: true, dashboard: true })
  // only the snapshot observes: the access log is not among the observers
  assert.equal(withDash.observer, withDash.snapshot)
  await withDash.close()
  const without = createAppObservability(specWithLog('stdout'), 'v1', { accessLog: true, dashboard: false })
  assert.ok(without.observer, 'the access log observes')
  assert.equal(without.snapshot, undefined)
  await without.close()
})
