/** Callers of Sink.drained() waiting for a slow client: resolved all at once when it can take more, or when it leaves. */
export class DrainWaiters {
  #waiters: Array<() => void> | undefined

  wait(): Promise<void> {
    return new Promise((resolve) => (this.#waiters ??= []).push(resolve))
  }

  release(): void {
    const w = this.#waiters
    if (w === undefined) return
    this.#waiters = undefined
    for (const resolve of w) resolve()
  }
}
