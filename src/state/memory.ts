/** The in-process store (SPEC §3 state.store: memory) for a single thread: slot tables over plain ArrayBuffers. */
import { allocateSlotTable, SlotTable } from './slot-table.js'
import { createSlotStore } from './slot-store.js'
import type { Clock, Store } from './types.js'

export interface StoreCapacity {
  /** Buckets (x8 entries) for pinned state: keys' windows, gauges, budgets, global limits. Power of two. */
  pinnedBuckets?: number
  /** Buckets (x8 entries) for per-IP windows; bounds their memory (16 bytes of cells each). Power of two. */
  ipBuckets?: number
}

/** 4,096 x 8 = 32,768 pinned entries: 1,000 keys with 4 limits each, reloaded many times over. */
export const DEFAULT_PINNED_BUCKETS = 4096
/** 8,192 x 8 = 65,536 client addresses tracked at once, 28 bytes each (~1.8 MB). */
export const DEFAULT_IP_BUCKETS = 8192

export function createMemoryStore(opts: StoreCapacity & { clock?: Clock } = {}): Store {
  const pinned = new SlotTable(allocateSlotTable(opts.pinnedBuckets ?? DEFAULT_PINNED_BUCKETS, false))
  const lru = new SlotTable(allocateSlotTable(opts.ipBuckets ?? DEFAULT_IP_BUCKETS, false))
  return createSlotStore(pinned, lru, opts.clock ?? Date.now, 'memory')
}
