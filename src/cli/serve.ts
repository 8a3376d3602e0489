/** `llmgw serve` (SPEC §2). Placeholder until its issue lands. */
import { EXIT } from './exit-codes.js'

export async function runServe(..._args: unknown[]): Promise<number> {
  process.stderr.write('llmgw serve: not yet available\n')
  return EXIT.usage
}
