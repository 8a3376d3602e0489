/** Table-driven lint tests over fixtures/lint/<rule-id>/{spec.yaml,expected.json}: rule id, severity, line:col. */
import assert from 'node:assert/strict'
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { packageRoot } from '../../core/package-root.js'
import { parseSpecText } from '../parse.js'
import type { SpecProblem } from '../problems.js'
import { LINT_RULES } from './index.js'

const root = join(packageRoot(), 'fixtures', 'lint')
const cases = readdirSync(root).filter((d) => existsSync(join(root, d, 'spec.yaml'))).sort()

for (const id of cases) {
  test(`fixture ${id}: reports ${id} at the expected line:col`, () => {
    const dir = join(root, id)
    const file = join(dir, 'spec.yaml')
    const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Partial<SpecProblem>[]
    const result = parseSpecText(readFileSync(file, 'utf8'), file, {})
    const all = result.ok ? result.warnings : result.problems
    const mine = all
      .filter((p) => p.rule === id)
      .map(({ rule, severity, line, col, message }) => ({ rule, severity, line, col, message: message.split(dir).join('<dir>') }))
    assert.ok(expected.length > 0, 'expected.json lists at least one problem')
    assert.deepEqual(mine, expected)
    for (const p of all) assert.equal(p.file, file)
    // An error anywhere means the spec is refused; only warnings leave it usable.
    assert.equal(result.ok, !all.some((p) => p.severity === 'error'))
  })
}

test('every lint rule has a failing fixture', () => {
  const missing = LINT_RULES.map((r) => r.id).filter((id) => !cases.includes(id))
  assert.deepEqual(missing, [])
})

test('rule ids are kebab-case and unique', () => {
  const ids = LINT_RULES.map((r) => r.id)
  assert.equal(new Set(ids).size, ids.length)
  for (const id of ids) assert.match(id, /^[a-z]+(-[a-z]+)*$/)
})
