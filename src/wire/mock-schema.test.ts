/** The mock's schema sampler (wire/mock-schema.ts): every value validates with ajv (draft 2020-12, formats on), deterministically. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Ajv2020 } from 'ajv/dist/2020.js'
import { sampleSchema } from './mock-schema.js'
import { createRandom } from './mock-text.js'

const ajv = new Ajv2020({ strict: false, allErrors: true })
// the formats sampled here, checked by their RFC shapes (ajv-formats is not a dependency of this package)
const FORMATS: Record<string, RegExp> = {
  'date-time': /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/,
  date: /^\d{4}-\d\d-\d\d$/,
  email: /^[^@\s]+@[^@\s]+\.[^@\s]+$/,
  uri: /^[a-z][a-z0-9+.-]*:\/\/[^\s]+$/i,
  uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
  ipv4: /^(\d{1,3}\.){3}\d{1,3}$/,
}
for (const [name, re] of Object.entries(FORMATS)) ajv.addFormat(name, re)

const SCHEMAS: Record<string, object> = {
  weather: { type: 'object', properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['c', 'f'] } }, required: ['city', 'unit'], additionalProperties: false },
  numbers: {
    type: 'object',
    properties: {
      age: { type: 'integer', minimum: 18, maximum: 21 },
      score: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 },
      step: { type: 'number', multipleOf: 0.25, minimum: 1, maximum: 2 },
      even: { type: 'integer', multipleOf: 2, minimum: 3 },
      neg: { type: 'integer', maximum: -5 },
    },
    required: ['age', 'score', 'step', 'even', 'neg'],
  },
  strings: {
    type: 'object',
    properties: {
      short: { type: 'string', maxLength: 2 },
      long: { type: 'string', minLength: 30 },
      when: { type: 'string', format: 'date-time' },
      day: { type: 'string', format: 'date' },
      mail: { type: 'string', format: 'email' },
      link: { type: 'string', format: 'uri' },
      id: { type: 'string', format: 'uuid' },
      ip: { type: 'string', format: 'ipv4' },
      code: { type: 'string', pattern: '^[0-9]+$' },
      fixed: { const: 'v1' },
    },
    required: ['short', 'long', 'when', 'day', 'mail', 'link', 'id', 'ip', 'code', 'fixed'],
  },
  arrays: {
    type: 'object',
    properties: {
      tags: { type: 'array', items: { type: 'string' }, minItems: 3, maxItems: 5, uniqueItems: true },
      pair: { type: 'array', prefixItems: [{ type: 'integer' }, { type: 'boolean' }], items: false },
      none: { type: 'array', maxItems: 0 },
      matrix: { type: 'array', items: { type: 'array', items: { type: 'number' }, minItems: 1 }, minItems: 1 },
    },
    required: ['tags', 'pair', 'none', 'matrix'],
  },
  nullable: {
    type: 'object',
    properties: { maybe: { type: ['string', 'null'] }, either: { anyOf: [{ type: 'null' }, { type: 'integer', minimum: 7 }] }, one: { oneOf: [{ type: 'boolean' }] } },
    required: ['maybe', 'either', 'one'],
    additionalProperties: false,
  },
  refs: {
    $defs: { node: { type: 'object', properties: { name: { type: 'string' }, children: { type: 'array', items: { $ref: '#/$defs/node' } } }, required: ['name', 'children'], additionalProperties: false } },
    type: 'object',
    properties: { root: { $ref: '#/$defs/node' } },
    required: ['root'],
  },
  allOf: { allOf: [{ type: 'object', properties: { a: { type: 'string' } }, required: ['a'] }, { properties: { b: { type: 'integer' } }, required: ['b'] }] },
  objects: {
    type: 'object',
    properties: { open: { type: 'object', minProperties: 2, additionalProperties: { type: 'integer' } }, small: { type: 'object', properties: { x: { type: 'string' }, y: { type: 'string' } }, maxProperties: 1 } },
    required: ['open', 'small', 'extra'],
  },
  draft4Exclusive: { type: 'number', minimum: 0, maximum: 1, exclusiveMaximum: true, exclusiveMinimum: true },
  untyped: { properties: { q: {} }, required: ['q'] },
  deep: { type: 'object', properties: { a: { type: 'object', properties: { b: { type: 'object', properties: { c: { type: 'object', properties: { d: { type: 'object', properties: { e: { type: 'string' } }, required: ['e'] } }, required: ['d'] } }, required: ['c'] } }, required: ['b'] } }, required: ['a'] },
}

test('every sample validates against its schema, for many seeds', () => {
  for (const [name, schema] of Object.entries(SCHEMAS)) {
    const validate = ajv.compile(name === 'draft4Exclusive' ? { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 } : schema)
    for (let seed = 1; seed <= 50; seed++) {
      const v = sampleSchema(schema, createRandom(seed))
      assert.ok(validate(v), `${name} seed ${seed}: ${JSON.stringify(v)} ${ajv.errorsText(validate.errors)}`)
    }
  }
})

test('the same seed gives the same value; seeds vary values', () => {
  const s = SCHEMAS.weather!
  assert.deepEqual(sampleSchema(s, createRandom(7)), sampleSchema(s, createRandom(7)))
  const values = new Set(Array.from({ length: 20 }, (_, i) => JSON.stringify(sampleSchema(SCHEMAS.strings!, createRandom(i)))))
  assert.ok(values.size > 1)
})

test('recursion ends; optional properties are filled near the top only', () => {
  const v = sampleSchema(SCHEMAS.refs, createRandom(3)) as { root: { children: unknown[] } }
  assert.ok(JSON.stringify(v).length < 100_000)
  const opt = sampleSchema({ type: 'object', properties: { a: { type: 'string' }, b: { type: 'integer' } } }, createRandom(1)) as object
  assert.deepEqual(Object.keys(opt), ['a', 'b'])
})
