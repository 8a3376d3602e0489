/** parseSource: JSON text takes JSON.parse and its own position index, which must agree with the YAML document's. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import type { SpecPath } from './problems.js'
import { parseSource, parseYamlSource } from './source-positions.js'

/** Every path in the value, plus a missing child of each container. */
function pathsOf(v: unknown, at: (string | number)[] = [], out: SpecPath[] = []): SpecPath[] {
  out.push(at)
  if (Array.isArray(v)) {
    v.forEach((x, i) => pathsOf(x, [...at, i], out))
    out.push([...at, v.length], [...at, 'x'])
  } else if (v !== null && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) pathsOf(x, [...at, k], out)
    out.push([...at, 'no such key'], [...at, 0, 'deeper'])
  }
  return out
}

test('JSON positions agree with the YAML document for every path, key or value, whatever the layout', () => {
  fc.assert(
    fc.property(
      fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 4 })),
      fc.constantFrom(0, 2, '\t', ' '),
      fc.boolean(),
      (doc, indent, crlf) => {
        let text = JSON.stringify(doc, null, indent)
        if (crlf) text = text.replace(/\n/g, '\r\n')
        const json = parseSource(text, 'x.json')
        const yaml = parseYamlSource(text, 'x.json', [])
        assert.deepEqual(json.problems, [])
        assert.deepEqual(json.raw, JSON.parse(text))
        for (const path of pathsOf(doc)) {
          for (const where of ['key', 'value'] as const) assert.deepEqual(json.locate(path, where), yaml.locate(path, where), `${JSON.stringify(path)} ${where}\n${text}`)
        }
      },
    ),
    { numRuns: 150 },
  )
})

test('a nested root (package.json "llmgw") locates inside that field', () => {
  const text = JSON.stringify({ name: 'app', llmgw: { version: 1, models: [{ name: 'm' }] } }, null, 2)
  const json = parseSource(text, 'package.json', ['llmgw'])
  assert.deepEqual(json.raw, { version: 1, models: [{ name: 'm' }] })
  assert.deepEqual(json.locate(['models', 0, 'name']), { line: 7, col: 17 })
  assert.deepEqual(json.locate(['models', 0, 'name']), parseYamlSource(text, 'package.json', ['llmgw']).locate(['models', 0, 'name']))
})

test('text JSON.parse refuses, or with a repeated key, is reported by the YAML path with positions', () => {
  const broken = parseSource('{\n  "a": 1,\n  "b": [1, 2\n}', 'x.json')
  assert.equal(broken.raw, undefined)
  assert.ok(broken.problems.length > 0 && broken.problems.every((p) => p.rule === 'yaml-syntax' && p.line >= 1))
  const dup = parseSource('{\n  "a": {"b": 1, "c": 2, "b": 3}\n}', 'x.json')
  assert.deepEqual(dup.problems.map((p) => [p.rule, p.line]), [['duplicate-key', 2]])
})
