/** `llmgw bench` (SPEC §2). Placeholder until its issue lands. */
import { EXIT } from './exit-codes.js'

export async function runBench(..._args: unknown[]): Promise<number> {
  process.stderr.write('llmgw bench: not yet available\n')
  return EXIT.usage
}
