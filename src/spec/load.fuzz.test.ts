/** Fuzz: the loader never throws, whatever the text (SPEC §3 bad input): random documents and mutated templates. */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import fc from 'fast-check'
import { parse, stringify } from 'yaml'
import { packageRoot } from '../core/package-root.js'
import { checkDocument, type LoadResult } from './check.js'
import { locateNowhere } from './problems.js'
import { parseSpecText } from './parse.js'

const ENV = { OPENAI_API_KEY: 'sk-test', ANTHROPIC_API_KEY: 'sk-ant', TEAM_A_KEY: 'k', LLMGW_ADMIN_TOKEN: 't' }
const TEMPLATES = ['basic', 'openai', 'multi-provider', 'production'].map((n) => readFileSync(join(packageRoot(), 'templates', `${n}.yaml`), 'utf8'))

/** A LoadResult is either a spec with a version or a non-empty list of well-formed problems. */
function assertWellFormed(r: LoadResult): void {
  if (r.ok) {
    assert.match(r.version, /^[0-9a-f]{12}$/)
    assert.ok(Array.isArray(r.spec.models) && r.spec.models.length > 0)
    return
  }
  assert.ok(r.problems.length > 0, 'a failed load explains itself')
  for (const p of r.problems) {
    assert.ok(Number.isInteger(p.line) && p.line >= 1 && Number.isInteger(p.col) && p.col >= 1, JSON.stringify(p))
    assert.match(p.rule, /^[a-z]+(-[a-z]+)*$/)
    assert.ok(p.severity === 'error' || p.severity === 'warning')
    assert.equal(typeof p.message, 'string')
  }
}

const parseText = (text: string, file = 'fuzz.yaml') => assertWellFormed(parseSpecText(text, file, ENV))

test('random JSON and YAML documents', () => {
  fc.assert(
    fc.property(fc.jsonValue({ maxDepth: 4 }), fc.boolean(), (value, asYaml) => {
      parseText(asYaml ? stringify(value) : JSON.stringify(value), asYaml ? 'fuzz.yaml' : 'fuzz.json')
    }),
    { numRuns: 60 },
  )
})

test('random text, including YAML syntax characters', () => {
  const yamlish = fc.string({ unit: fc.constantFrom(...'ab:-[]{}\'"#&*!|>%@`, \n\t$'.split('')), maxLength: 80 })
  fc.assert(fc.property(fc.oneof(fc.string({ maxLength: 80 }), yamlish), (text) => parseText(text)), { numRuns: 60 })
})

test('templates with random line and character mutations', () => {
  const mutation = fc.record({
    template: fc.nat(TEMPLATES.length - 1),
    kind: fc.constantFrom('delete-line', 'duplicate-line', 'swap-lines', 'replace-char', 'insert-text', 'truncate', 'dedent'),
    a: fc.nat(),
    b: fc.nat(),
    text: fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom(': ', '- ', '{', ']', '${env:', '${env:X}', '0', 'null', '  ', '&a', '*a', '!!binary', '<<: *a')),
  })
  fc.assert(
    fc.property(mutation, (m) => {
      const lines = (TEMPLATES[m.template] as string).split('\n')
      const i = m.a % lines.length
      const j = m.b % lines.length
      const line = lines[i] as string
      switch (m.kind) {
        case 'delete-line': lines.splice(i, 1); break
        case 'duplicate-line': lines.splice(i, 0, line); break
        case 'swap-lines': [lines[i], lines[j]] = [lines[j] as string, line]; break
        case 'replace-char': lines[i] = line.slice(0, m.b % (line.length + 1)) + m.text.slice(0, 1) + line.slice((m.b % (line.length + 1)) + 1); break
        case 'insert-text': lines[i] = line.slice(0, m.b % (line.length + 1)) + m.text + line.slice(m.b % (line.length + 1)); break
        case 'truncate': lines.length = i; break
        case 'dedent': lines[i] = line.trimStart(); break
      }
      parseText(lines.join('\n'))
    }),
    { numRuns: 60 },
  )
})

test('templates with a random value put at a random field (YAML and JS configs)', () => {
  fc.assert(
    fc.property(fc.nat(TEMPLATES.length - 1), fc.array(fc.nat(), { minLength: 1, maxLength: 4 }), fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.date(), fc.constant(undefined)), (t, picks, value) => {
      const doc = parse(TEMPLATES[t] as string) as Record<string, unknown>
      let node: unknown = doc
      for (let k = 0; k < picks.length - 1 && node !== null && typeof node === 'object'; k++) {
        const keys = Object.keys(node)
        if (keys.length === 0) break
        const next = (node as Record<string, unknown>)[keys[(picks[k] as number) % keys.length] as string]
        if (next === null || typeof next !== 'object') break
        node = next
      }
      if (node !== null && typeof node === 'object') {
        const keys = Object.keys(node)
        const key = keys.length > 0 ? (keys[(picks.at(-1) as number) % keys.length] as string) : 'extra'
        ;(node as Record<string, unknown>)[key] = value
      }
      assertWellFormed(checkDocument({ raw: doc, file: 'fuzz.mjs', resultFile: 'fuzz.mjs', locate: locateNowhere, env: ENV, baseDir: '/tmp' }))
      parseText(stringify(doc, { aliasDuplicateObjects: false }))
    }),
    { numRuns: 60 },
  )
})

test('hostile inputs: alias bombs, deep nesting, cycles', () => {
  const bomb = `a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n`
  parseText(bomb)
  parseText(`${'['.repeat(500)}${']'.repeat(500)}`)
  const cyclic: Record<string, unknown> = { version: 1 }
  cyclic.providers = [cyclic]
  assertWellFormed(checkDocument({ raw: cyclic, file: 'c.mjs', resultFile: 'c.mjs', locate: locateNowhere, env: {}, baseDir: '/tmp' }))
})
