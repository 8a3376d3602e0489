/** Drift test: schemas/llmgw.schema.json is exactly what `llmgw schema` prints (SPEC §3). */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { packageRoot } from '../core/package-root.js'
import { formatJsonSchema, specJsonSchema } from './json-schema.js'

test('schemas/llmgw.schema.json matches the zod schema (regenerate: llmgw schema > schemas/llmgw.schema.json)', () => {
  const checkedIn = readFileSync(join(packageRoot(), 'schemas', 'llmgw.schema.json'), 'utf8')
  assert.deepEqual(JSON.parse(checkedIn), JSON.parse(formatJsonSchema()))
  assert.equal(checkedIn, formatJsonSchema())
})

test('the JSON Schema describes input: durations accept strings, unknown fields are refused', () => {
  const s = specJsonSchema() as { required: string[]; additionalProperties: boolean; properties: Record<string, { properties?: Record<string, { anyOf?: { type: string }[] }> }> }
  assert.deepEqual([...s.required].sort(), ['models', 'providers', 'version'])
  assert.equal(s.additionalProperties, false)
  const timeout = s.properties.server?.properties?.requestTimeout
  assert.deepEqual(timeout?.anyOf?.map((a) => a.type), ['string', 'number'])
})
