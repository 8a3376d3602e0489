/** `llmgw diff` (SPEC §2). Placeholder until its issue lands. */
import { EXIT } from './exit-codes.js'

export async function runDiff(..._args: unknown[]): Promise<number> {
  process.stderr.write('llmgw diff: not yet available\n')
  return EXIT.usage
}
