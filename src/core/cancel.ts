/**
 * The "client left" signal of one request (SPEC §4: the upstream call is aborted at once).
 *
 * Structurally the subset of AbortSignal the pipeline uses, so a real AbortSignal fits wherever a Cancellation is
 * asked for (tests, batched embeddings). The server makes a ClientSignal per request instead of an AbortController:
 * an AbortController plus one add/removeEventListener pair measured 8.4 µs per request here (EventTarget machinery),
 * this one well under 0.1 µs (bench/README.md, "hot path").
 */
export interface Cancellation {
  readonly aborted: boolean
  readonly reason: unknown
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void
  removeEventListener(type: 'abort', listener: () => void): void
}

/** A Cancellation that fires once. Listeners run in the order added; one that throws is reported and the rest run. */
export class ClientSignal implements Cancellation {
  aborted = false
  reason: unknown = undefined
  // Most requests have at most one listener (the upstream call) at a time: no array for them.
  #one: (() => void) | undefined
  #more: Array<() => void> | undefined

  addEventListener(_type: 'abort', listener: () => void): void {
    if (this.aborted) return // as AbortSignal: a listener added after abort never runs
    if (this.#one === undefined && this.#more === undefined) this.#one = listener
    else (this.#more ??= []).push(listener)
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    if (this.#one === listener) this.#one = undefined
    else if (this.#more !== undefined) {
      const i = this.#more.indexOf(listener)
      if (i >= 0) this.#more.splice(i, 1)
    }
  }

  abort(reason?: unknown): void {
    if (this.aborted) return
    this.aborted = true
    this.reason = reason ?? new DOMException('This operation was aborted', 'AbortError')
    const one = this.#one
    const more = this.#more
    this.#one = undefined
    this.#more = undefined
    if (one !== undefined) run(one)
    if (more !== undefined) for (const l of more) run(l)
  }
}

function run(listener: () => void): void {
  try {
    listener()
  } catch (e) {
    // Listeners are the pipeline's own cleanup: a throw is a bug to report, never a crash, and the rest still run.
    process.emitWarning(e instanceof Error ? e : new Error(String(e)), 'ClientSignalListenerError')
  }
}
