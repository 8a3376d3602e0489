/**
 * Signals that reach `llmgw serve` while it is still starting (loading modules, reading and compiling the spec,
 * binding: a second or more). Without a handler Node's default applies: SIGINT/SIGTERM kill the process with 130/143
 * instead of the clean 0 SPEC §2 promises, and SIGHUP kills it outright. Held here from the first line of bin/llmgw.js
 * until serve installs its own handlers; a held SIGINT/SIGTERM then shuts the app down at once.
 */
let early: string | undefined
const handlers: ReadonlyArray<readonly [NodeJS.Signals, () => void]> = [
  ['SIGINT', () => void (early ??= 'SIGINT')],
  ['SIGTERM', () => void (early ??= 'SIGTERM')],
  // the spec is being read anyway: a reload asked for now has nothing to add
  ['SIGHUP', () => undefined],
]
let holding = false

export function holdStartSignals(): void {
  if (holding) return
  holding = true
  for (const [sig, fn] of handlers) process.on(sig, fn)
}

/** Stops holding; the SIGINT/SIGTERM that arrived meanwhile, if any. */
export function releaseStartSignals(): string | undefined {
  if (holding) for (const [sig, fn] of handlers) process.off(sig, fn)
  holding = false
  return early
}
