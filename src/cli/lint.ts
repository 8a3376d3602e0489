/** `llmgw lint` (SPEC §2). Placeholder until its issue lands. */
import { EXIT } from './exit-codes.js'

export async function runLint(..._args: unknown[]): Promise<number> {
  process.stderr.write('llmgw lint: not yet available\n')
  return EXIT.usage
}
