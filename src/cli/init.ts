/** `llmgw init` (SPEC §2). Placeholder until its issue lands. */
import { EXIT } from './exit-codes.js'

export async function runInit(..._args: unknown[]): Promise<number> {
  process.stderr.write('llmgw init: not yet available\n')
  return EXIT.usage
}
