/** `llmgw keys hash KEY` and `llmgw keys new` (SPEC §2, §3 keys[].hash): sha256 hashes and new random client keys. */
import { createHash, randomBytes } from 'node:crypto'
import { EXIT, UsageError } from './exit-codes.js'

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
const KEY_CHARS = 32 // 32 base62 chars ≈ 190 bits

/** "sha256:<hex>", the form `keys[].hash` takes and stages/auth.ts compares against. */
export function formatKeyHash(key: string): string {
  return `sha256:${createHash('sha256').update(key).digest('hex')}`
}

/** "llmgw-" + 32 uniformly random base62 characters (rejection sampling keeps every character equally likely). */
export function createApiKey(): string {
  let out = 'llmgw-'
  while (out.length < 6 + KEY_CHARS) {
    for (const b of randomBytes(48)) {
      if (b < 248 && out.length < 6 + KEY_CHARS) out += BASE62[b % 62]
    }
  }
  return out
}

export async function runKeysHash(key: string): Promise<number> {
  if (!key) throw new UsageError('keys hash needs a non-empty KEY')
  process.stdout.write(`${formatKeyHash(key)}\n`)
  return EXIT.ok
}

export async function runKeysNew(): Promise<number> {
  const key = createApiKey()
  // Two labelled lines: the key goes to the client once; only the hash belongs in the spec.
  process.stdout.write(`key:  ${key}\nhash: ${formatKeyHash(key)}\n`)
  process.stderr.write('give the key to the client (it is not stored); put the hash in the spec: keys: [{ id: ..., hash: <hash> }]\n')
  return EXIT.ok
}
