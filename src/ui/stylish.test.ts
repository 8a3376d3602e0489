/** The stylish formatter (SPEC §2 lint): ESLint layout, aligned columns, summary, nothing for clean files. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { SpecProblem } from '../spec/problems.js'
import { formatStylish } from './stylish.js'

const p = (line: number, col: number, severity: SpecProblem['severity'], message: string, rule: string): SpecProblem => ({ file: '/x/spec.yaml', line, col, severity, message, rule })

test('file header, aligned file:line:col severity message rule-id rows, and a summary', () => {
  const out = formatStylish([{ file: '/x/spec.yaml', problems: [p(3, 9, 'error', 'server.port: bad', 'invalid-value'), p(12, 21, 'warning', 'providers[0]: no timeout', 'missing-timeout')] }], { color: false })
  assert.equal(
    out,
    '\n/x/spec.yaml\n' +
      '  /x/spec.yaml:3:9    error    server.port: bad          invalid-value\n' +
      '  /x/spec.yaml:12:21  warning  providers[0]: no timeout  missing-timeout\n' +
      '\n✖ 2 problems (1 error, 1 warning)\n',
  )
})

test('clean files print nothing; color adds ANSI codes only when asked', () => {
  assert.equal(formatStylish([{ file: 'a', problems: [] }], { color: true }), '')
  const colored = formatStylish([{ file: 'a', problems: [p(1, 1, 'error', 'm', 'r')] }], { color: true })
  assert.match(colored, /\x1b\[31merror/)
  assert.doesNotMatch(formatStylish([{ file: 'a', problems: [p(1, 1, 'error', 'm', 'r')] }], { color: false }), /\x1b/)
})
