/** maxInFlight with a bounded FIFO queue per provider (SPEC §3 providers[].maxInFlight, queue): counters and an array, no threads. */
import type { Cancellation } from '../core/cancel.js'
import type { MaybePromise } from '../core/types.js'
import { GatewayError } from '../core/errors.js'

export interface InflightLimiter {
  /** Undefined at once when a slot is free; a promise when queued; throws 503 overloaded when the queue is full. */
  acquire(signal: Cancellation): MaybePromise<void>
  /** Once per successful acquire: hands the slot to the oldest live waiter. */
  release(): void
  readonly inflight: number
  readonly depth: number
}

interface Waiter {
  resolve(): void
  reject(e: unknown): void
  timer: NodeJS.Timeout
  signal: Cancellation
  onAbort: () => void
  live: boolean
}

export function createInflightLimiter(name: string, maxInFlight: number, size: number, timeoutMs: number): InflightLimiter {
  if (!(maxInFlight >= 1)) throw new Error(`provider ${name}: maxInFlight must be at least 1`)
  const full = `provider ${name}: ${maxInFlight} requests in flight and the queue of ${size} is full`
  const late = `provider ${name}: waited ${timeoutMs}ms in the queue`
  // FIFO as an array plus a head index; cancelled waiters are skipped and compacted away, so its length stays < 2 x size.
  let waiters: Waiter[] = []
  let head = 0
  let inflight = 0
  let depth = 0

  const drop = (w: Waiter): void => {
    w.live = false
    depth--
    clearTimeout(w.timer)
    w.signal.removeEventListener('abort', w.onAbort)
  }

  return {
    get inflight() { return inflight },
    get depth() { return depth },
    acquire(signal) {
      if (inflight < maxInFlight) {
        inflight++
        return undefined
      }
      if (depth >= size) throw new GatewayError('overloaded', full)
      if (signal.aborted) throw signal.reason ?? new Error('aborted')
      return new Promise<void>((resolve, reject) => {
        const w: Waiter = { resolve, reject, signal, live: true, timer: undefined as unknown as NodeJS.Timeout, onAbort: () => {} }
        w.timer = setTimeout(() => { drop(w); reject(new GatewayError('overloaded', late)) }, timeoutMs)
        w.onAbort = () => { drop(w); reject(signal.reason ?? new Error('aborted')) }
        signal.addEventListener('abort', w.onAbort, { once: true })
        if (waiters.length - head >= 2 * size) { waiters = waiters.slice(head).filter((x) => x.live); head = 0 }
        waiters.push(w)
        depth++
      })
    },
    release() {
      while (head < waiters.length) {
        const w = waiters[head]!
        waiters[head++] = undefined as unknown as Waiter
        if (!w.live) continue
        drop(w)
        w.resolve() // the slot passes straight to the waiter: inflight stays the same
        return
      }
      waiters.length = 0
      head = 0
      inflight--
    },
  }
}
