/** schemas/bench-result.schema.json is generated from the zod schema; this fails when they drift (SPEC §2 `bench --json`). */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { packageRoot } from '../core/package-root.js'
import { benchResultJsonSchema } from './result-schema.js'

test('schemas/bench-result.schema.json matches the zod schema (regenerate with benchResultJsonSchema())', () => {
  const file = JSON.parse(readFileSync(join(packageRoot(), 'schemas', 'bench-result.schema.json'), 'utf8')) as unknown
  assert.deepEqual(file, benchResultJsonSchema())
})
