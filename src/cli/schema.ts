/** `llmgw schema` (SPEC §2). Placeholder until its issue lands. */
import { EXIT } from './exit-codes.js'

export async function runSchema(..._args: unknown[]): Promise<number> {
  process.stderr.write('llmgw schema: not yet available\n')
  return EXIT.usage
}
