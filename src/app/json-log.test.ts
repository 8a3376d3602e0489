/** App log lines (SPEC §2 serve, non-TTY): pino numeric levels like the access log, listening line first with its url. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createJsonLog } from './json-log.js'

test('app log lines use pino numeric levels (30 info, 40 warn, 50 error), as access-log lines do', () => {
  const lines: string[] = []
  const log = createJsonLog((l) => lines.push(l))
  log.listening('http://127.0.0.1:1', { spec: 'x' })
  log.warn('w')
  log.error('e', { n: 1 })
  const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>)
  assert.deepEqual(parsed.map((p) => p.level), [30, 40, 50])
  assert.equal(parsed[0]!.msg, 'listening')
  assert.equal(parsed[0]!.url, 'http://127.0.0.1:1')
  assert.ok(lines.every((l) => l.endsWith('\n') && l.startsWith('{"level":')))
})

test('a field that cannot be serialised still yields a line', () => {
  const lines: string[] = []
  const cyclic: Record<string, unknown> = {}
  cyclic.self = cyclic
  createJsonLog((l) => lines.push(l)).info('x', { cyclic })
  assert.deepEqual(JSON.parse(lines[0]!), { level: 30, msg: 'x', time: (JSON.parse(lines[0]!) as { time: number }).time })
})
