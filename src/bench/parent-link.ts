/**
 * Children of `llmgw bench` / `llmgw profile` end with their parent, even when it is SIGKILLed (SPEC §2 `bench`: no orphans).
 *
 * The parent spawns them with an IPC channel and LLMGW_EXIT_WITH_PARENT=1. The kernel closes the parent's end of that
 * socket pair however the parent ends (SIGKILL, OOM killer included), and Node then emits 'disconnect' in the child.
 * Chosen over polling process.ppid: no timer waking the gateway being measured, no poll delay, and it works the same on
 * every platform Node runs on (PR_SET_PDEATHSIG is Linux-only and out of reach without a native addon).
 * Kept free of imports: `llmgw serve` and `llmgw mock` load it at start.
 */

/** The environment variable a parent sets (with an 'ipc' stdio slot) to make the child exit with it. */
export const EXIT_WITH_PARENT_ENV = 'LLMGW_EXIT_WITH_PARENT'

/**
 * When this process was started that way, run `onParentGone` once the parent is gone (callers stop gracefully, as on
 * SIGTERM). The channel is unref'd: it never keeps the process alive by itself. Returns whether it is linked.
 */
export function exitWithParent(onParentGone: () => void): boolean {
  if (process.env[EXIT_WITH_PARENT_ENV] !== '1' || !process.channel) return false
  // Not for our own children (worker threads share process.env; a process the child spawns would inherit it).
  delete process.env[EXIT_WITH_PARENT_ENV]
  process.once('disconnect', onParentGone)
  // after the listener: adding it may ref the channel
  process.channel.unref()
  return true
}
