/** `llmgw schema` (SPEC §2): print the spec's JSON Schema, the same text as schemas/llmgw.schema.json. */
import { formatJsonSchema } from '../spec/json-schema.js'
import { EXIT } from './exit-codes.js'

export async function runSchema(): Promise<number> {
  process.stdout.write(formatJsonSchema())
  return EXIT.ok
}
