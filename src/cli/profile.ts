/** `llmgw profile` (SPEC §2). Placeholder until its issue lands. */
import { EXIT } from './exit-codes.js'

export async function runProfile(..._args: unknown[]): Promise<number> {
  process.stderr.write('llmgw profile: not yet available\n')
  return EXIT.usage
}
