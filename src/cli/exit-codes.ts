/** Exit codes (SPEC §2) and the one error type that means "the user typed it wrong". */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const

/** Bad flags, unreadable file, unknown template...: message on stderr, exit 2, never a stack trace. */
export class UsageError extends Error {
  override readonly name = 'UsageError'
}
