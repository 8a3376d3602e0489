/** Golden tests for `llmgw diff` (SPEC §2): fixtures/diff/<case>/{old,new}.yaml -> expected.json + expected.md. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { packageRoot } from '../../core/package-root.js'
import { parseSpecText } from '../parse.js'
import type { Spec } from '../schema.js'
import { formatDiffTable } from '../../ui/diff-table.js'
import { createDiffDocument, formatDiffJson, formatDiffMarkdown } from './format.js'
import { diffSpecs } from './index.js'

// LLMGW_UPDATE_GOLDEN=1 rewrites the expected files; review the git diff before committing them.
const UPDATE = process.env.LLMGW_UPDATE_GOLDEN === '1'
const ROOT = join(packageRoot(), 'fixtures', 'diff')
/** Every literal secret in the fixtures contains this marker; no output may. */
const SECRET_MARKER = /SECRET/

function load(file: string): { spec: Spec; version: string } {
  const r = parseSpecText(readFileSync(file, 'utf8'), file, {})
  if (!r.ok) assert.fail(`${file} is invalid: ${r.problems.map((p) => `${p.line}:${p.col} ${p.message}`).join('; ')}`)
  return { spec: r.spec, version: r.version }
}

function golden(file: string, actual: string): void {
  if (UPDATE || !existsSync(file)) {
    if (!UPDATE) assert.fail(`missing ${file} (run with LLMGW_UPDATE_GOLDEN=1 to create it)`)
    writeFileSync(file, actual)
    return
  }
  assert.equal(actual, readFileSync(file, 'utf8'), `${file} differs`)
}

const cases = existsSync(ROOT) ? readdirSync(ROOT).filter((d) => existsSync(join(ROOT, d, 'old.yaml'))) : []

test('fixtures/diff has a case for every class and format', () => {
  for (const prefix of ['breaking-', 'risky-', 'safe-', 'restart-', 'secret-', 'unchanged-'])
    assert.ok(cases.some((c) => c.startsWith(prefix)), `no fixtures/diff/${prefix}* case`)
})

for (const name of cases) {
  test(`diff golden: ${name}`, () => {
    const dir = join(ROOT, name)
    const before = load(join(dir, 'old.yaml'))
    const after = load(join(dir, 'new.yaml'))
    const rows = diffSpecs(before.spec, after.spec)
    const doc = createDiffDocument({ file: 'old.yaml', version: before.version }, { file: 'new.yaml', version: after.version }, rows)

    // The case name states what a reviewer must see.
    const [kind] = name.split('-')
    if (kind === 'breaking' || kind === 'risky' || kind === 'safe') assert.ok(rows.some((r) => r.class === kind), `expected a ${kind} row`)
    if (kind === 'risky' || kind === 'safe') assert.equal(doc.summary.breaking, 0, `unexpected breaking rows: ${JSON.stringify(rows.filter((r) => r.class === 'breaking'))}`)
    if (kind === 'restart') assert.ok(rows.some((r) => r.needsRestart), 'expected a needsRestart row')
    else assert.equal(doc.summary.needsRestart, 0)
    if (kind === 'secret') assert.ok(rows.some((r) => r.note.includes('rotated') || r.note.includes('secret changed')))
    if (kind === 'unchanged') assert.deepEqual(rows, [])
    else assert.ok(rows.length > 0)

    const json = formatDiffJson(doc)
    const md = formatDiffMarkdown(doc)
    const table = formatDiffTable(doc, { color: false, width: 120 })
    for (const out of [json, md, table]) assert.doesNotMatch(out, SECRET_MARKER, 'a secret value leaked into the output')
    if (rows.length === 0) assert.match(table, /no changes/)
    else assert.match(table, new RegExp(`${doc.summary.breaking} breaking, ${doc.summary.risky} risky, ${doc.summary.safe} safe`))

    // expected.json holds the stable part of --format json (the version hashes belong to the loader).
    const parsed = JSON.parse(json) as { version: number; changes: unknown; summary: unknown }
    assert.equal(parsed.version, 1)
    golden(join(dir, 'expected.json'), `${JSON.stringify({ changes: parsed.changes, summary: parsed.summary }, null, 2)}\n`)
    golden(join(dir, 'expected.md'), md)
  })
}

test('the diff is symmetric in what it finds: swapping sides swaps added and removed', () => {
  const dir = join(ROOT, 'safe-model-added')
  const a = load(join(dir, 'old.yaml')).spec
  const b = load(join(dir, 'new.yaml')).spec
  const forward = diffSpecs(a, b)
  const backward = diffSpecs(b, a)
  assert.deepEqual(
    forward.map((r) => [r.path, r.kind]),
    backward.map((r) => [r.path, r.kind === 'added' ? 'removed' : r.kind === 'removed' ? 'added' : r.kind]),
  )
  assert.ok(backward.some((r) => r.class === 'breaking' && r.kind === 'removed'), 'removing the model again is breaking')
})
