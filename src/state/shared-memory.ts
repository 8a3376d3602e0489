/** The --workers store: the same slot tables over SharedArrayBuffers, so limits are exact across threads (SPEC §7). */
import { allocateSlotTable, SlotTable, type SlotTableBuffers } from './slot-table.js'
import { createSlotStore } from './slot-store.js'
import { DEFAULT_IP_BUCKETS, DEFAULT_PINNED_BUCKETS, type StoreCapacity } from './memory.js'
import type { Clock, Store } from './types.js'

/*
 * Design: the main thread allocates the tables once and hands the buffers to every worker (workerData, structured
 * clone shares a SharedArrayBuffer rather than copying it). Each worker compiles the Plan itself; identities hash to
 * the same entries in every thread, so no slot directory needs to be agreed. Each operation takes its bucket's
 * spin lock (Atomics.compareExchange), does a few float operations and releases it: no message round trip, no
 * owner thread, no await. Chosen over an owner thread because a postMessage round trip costs ~20-50 us and a
 * microtask per request, while an uncontended lock costs tens of ns (bench/limits/README.md has the figures).
 * The clock is Date.now(): performance.now() has a different origin in each thread.
 */
export interface SharedStateHandle {
  readonly pinned: SlotTableBuffers
  readonly ip: SlotTableBuffers
}

/** Main thread, once per process (not per reload): the buffers to pass to each worker in workerData. */
export function createSharedState(opts: StoreCapacity = {}): SharedStateHandle {
  return {
    pinned: allocateSlotTable(opts.pinnedBuckets ?? DEFAULT_PINNED_BUCKETS, true),
    ip: allocateSlotTable(opts.ipBuckets ?? DEFAULT_IP_BUCKETS, true),
  }
}

/** Any thread: a Store over the shared buffers. Cheap; call it once per thread and keep it across reloads. */
export function attachSharedStore(handle: SharedStateHandle, opts: { clock?: Clock } = {}): Store {
  if (!(handle.pinned.locks instanceof SharedArrayBuffer)) throw new Error('attachSharedStore needs SharedArrayBuffers from createSharedState()')
  return createSlotStore(new SlotTable(handle.pinned), new SlotTable(handle.ip), opts.clock ?? Date.now, 'shared')
}
