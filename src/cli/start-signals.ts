/**
 * Signals that reach `llmgw serve` while it is still starting (loading modules, reading and compiling the spec,
 * binding: a second or more). Without a handler Node's default applies: SIGINT/SIGTERM kill the process with 130/143
 * instead of the clean 0 SPEC §2 promises, and SIGHUP kills it outright. Held here from the first line of bin/llmgw.js
 * until serve installs its own handlers; a held SIGINT/SIGTERM then shuts the app down at once.
 */
let early: string | undefined
let hup = false
const handlers: ReadonlyArray<readonly [NodeJS.Signals, () => void]> = [
  ['SIGINT', () => void (early ??= 'SIGINT')],
  ['SIGTERM', () => void (early ??= 'SIGTERM')],
  // replayed as a reload once up: the spec may have been read before the edit that came with this signal
  ['SIGHUP', () => void (hup = true)],
]
let holding = false

export function holdStartSignals(): void {
  if (holding) return
  holding = true
  for (const [sig, fn] of handlers) process.on(sig, fn)
}

/** Stops holding; the SIGINT/SIGTERM that arrived meanwhile (if any), and whether a SIGHUP did. */
export function releaseStartSignals(): { stop: string | undefined; reload: boolean } {
  if (holding) for (const [sig, fn] of handlers) process.off(sig, fn)
  holding = false
  return { stop: early, reload: hup }
}
