/**
 * Every template validates against schemas/llmgw.schema.json with a standard validator (ajv, draft 2020-12, formats
 * checked), as editors and CI tools see the file: before `${env:...}` interpolation (issue 11 part 4).
 */
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { Ajv2020 } from 'ajv/dist/2020.js'
import { parse } from 'yaml'
import { packageRoot } from '../core/package-root.js'
import { templateNames } from '../cli/init.js'

const root = join(packageRoot(), 'templates')
const schema = JSON.parse(readFileSync(join(packageRoot(), 'schemas', 'llmgw.schema.json'), 'utf8')) as Record<string, unknown>
const MODELINE = '# yaml-language-server: $schema='

/** The spec templates: templates/*.yaml (what `llmgw init` offers) and any deeper .yaml that names the llmgw schema. */
function specTemplates(): string[] {
  const all = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.yaml'))
  const top = templateNames().map((n) => `${n}.yaml`)
  const namesSchema = (f: string): boolean => {
    const first = readFileSync(join(root, f), 'utf8').split('\n')[0] ?? ''
    return first.startsWith(MODELINE) && first.endsWith('llmgw.schema.json')
  }
  const deeper = all.filter((f) => !top.includes(f) && namesSchema(f))
  return [...top, ...deeper]
}

/** ajv-formats' RFC checks when the package resolves (it comes with the dev tree), else the formats the schema uses. */
async function validator() {
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true })
  try {
    const name = 'ajv-formats'
    const mod = (await import(name)) as { default: (a: Ajv2020) => void }
    mod.default(ajv)
  } catch {
    ajv.addFormat('uri', (s: string) => /^[a-z][a-z0-9+.-]*:/i.test(s) && URL.canParse(s))
  }
  const used = new Set([...JSON.stringify(schema).matchAll(/"format":"([^"]+)"/g)].map((m) => m[1]!))
  for (const f of used) assert.ok(f in ajv.formats, `the schema uses format '${f}', which this check does not know`)
  return { ajv, validate: ajv.compile(schema) }
}

test('every spec template validates against the JSON Schema with ajv (draft 2020-12, formats on)', async () => {
  const { ajv, validate } = await validator()
  const files = specTemplates()
  assert.ok(files.includes('production.yaml') && files.length >= 5, files.join(', '))
  for (const f of files) {
    const doc = parse(readFileSync(join(root, f), 'utf8')) as unknown
    assert.ok(validate(doc), `${f}: ${ajv.errorsText(validate.errors)}`)
  }
})

test('the schema still checks formats: a bad URL fails, an ${env:} reference or a real URL passes', async () => {
  const { validate } = await validator()
  const spec = (otlpEndpoint: string) => ({
    version: 1,
    providers: [{ name: 'm', type: 'mock' }],
    models: [{ name: 'x', targets: [{ provider: 'm', model: 'x' }] }],
    observability: { tracing: { otlpEndpoint } },
  })
  assert.equal(validate(spec('not a url')), false)
  assert.equal(validate(spec('$${env:OTLP}')), false, 'an escaped reference is a literal, not a reference')
  assert.equal(validate(spec('${env:OTEL_EXPORTER_OTLP_ENDPOINT}')), true)
  assert.equal(validate(spec('${env:OTLP:-http://127.0.0.1:4318}/v1/traces')), true)
  assert.equal(validate(spec('http://127.0.0.1:4318/v1/traces')), true)
})
