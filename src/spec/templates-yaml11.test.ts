/**
 * The templates read the same under YAML 1.1 parsers (PyYAML, many CI tools) as under our YAML 1.2 loader: a bare `on:`
 * key is the boolean true in 1.1, a bare timestamp a date (issue 11 part 4). Checked with the `yaml` package's 1.1 mode.
 */
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { parse } from 'yaml'
import { packageRoot } from '../core/package-root.js'

// the spec templates (templates/*.yaml and deeper ones naming the llmgw schema), not other YAML there: a Kubernetes
// manifest is meant to be read as YAML 1.1 (`defaultMode: 0400` is octal there)
const namesSpecSchema = (f: string): boolean => /^# yaml-language-server: \$schema=.*llmgw\.schema\.json$/.test(readFileSync(join(packageRoot(), 'templates', f), 'utf8').split('\n')[0] ?? '')
const FILES = [
  ...readdirSync(join(packageRoot(), 'templates'), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.yaml') && (!f.includes('/') || namesSpecSchema(f)))
    .map((f) => join('templates', f)),
  join('fixtures', 'specs', 'valid', 'spec-example.yaml'),
]
const yaml11 = (text: string): unknown => parse(text, { version: '1.1' })

/** Every `retry` mapping in `doc`, wherever it sits. */
function retries(doc: unknown, out: Record<string, unknown>[] = []): Record<string, unknown>[] {
  if (Array.isArray(doc)) for (const v of doc) retries(v, out)
  else if (doc && typeof doc === 'object')
    for (const [k, v] of Object.entries(doc)) {
      if (k === 'retry' && v && typeof v === 'object' && !Array.isArray(v)) out.push(v as Record<string, unknown>)
      retries(v, out)
    }
  return out
}

test('the check can fail: YAML 1.1 reads a bare on: key as true, a quoted one as the string "on"', () => {
  assert.deepEqual(Object.keys((yaml11('retry: { on: [5xx] }') as { retry: object }).retry), ['true'])
  assert.deepEqual(Object.keys((yaml11('retry: { "on": [5xx] }') as { retry: object }).retry), ['on'])
})

for (const file of FILES) {
  test(`${file} reads the same under YAML 1.1 and 1.2; retry's key is the string "on"`, () => {
    const text = readFileSync(join(packageRoot(), file), 'utf8')
    const old = yaml11(text)
    assert.deepEqual(old, parse(text))
    for (const r of retries(old)) {
      assert.ok(!('true' in r) && !('false' in r), `${file}: a retry key was read as a boolean (quote it: "on":)`)
      assert.ok(Object.keys(r).every((k) => ['attempts', 'backoff', 'on'].includes(k)), `${file}: ${Object.keys(r).join(', ')}`)
    }
  })
}

test('the templates that retry name the on: key, so the test above looks at it', () => {
  const named = FILES.filter((f) => retries(yaml11(readFileSync(join(packageRoot(), f), 'utf8'))).some((r) => 'on' in r))
  assert.ok(named.length >= 3, named.join(', '))
})
