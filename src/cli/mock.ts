/** `llmgw mock` (SPEC §2). Placeholder until its issue lands. */
import { EXIT } from './exit-codes.js'

export async function runMock(..._args: unknown[]): Promise<number> {
  process.stderr.write('llmgw mock: not yet available\n')
  return EXIT.usage
}
