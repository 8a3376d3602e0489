/** `llmgw keys hash|new` (SPEC §2). Placeholder until its issue lands. */
import { EXIT } from './exit-codes.js'

export async function runKeysHash(_key: string): Promise<number> {
  process.stderr.write('llmgw keys: not yet available\n')
  return EXIT.usage
}
export async function runKeysNew(): Promise<number> {
  process.stderr.write('llmgw keys: not yet available\n')
  return EXIT.usage
}
