/** A fixed-size set-associative table of limit cells, over an ArrayBuffer (one thread) or a SharedArrayBuffer (--workers). */

/*
 * Layout: `buckets` buckets of WAYS entries. Each entry has 3 Int32 of meta (hash hi, hash lo, state) and CELLS
 * Float64 cells; each bucket has one Int32 lock. Identities are hashed to 64 bits (two FNV-1a variants), so two
 * workers compiling the same spec find the same entry without talking to each other, and a reload that keeps an
 * identity keeps its state. Pinned entries (keys, global) are claimed at compile time and never move or leave.
 * Evictable entries (client IPs) live only in their home bucket: a new IP takes an empty entry, else an idle one,
 * else the one closest to idle, so memory stays fixed however many addresses show up.
 */
export const WAYS = 8
export const CELLS = 2
const META = 3
const EMPTY = 0
const PINNED = 1
const EVICTABLE = 2
/** How many buckets a pinned identity may spill into before the table counts as full. */
const MAX_SPILL = 16

export interface SlotTableBuffers {
  readonly buckets: number
  readonly meta: ArrayBufferLike
  readonly cells: ArrayBufferLike
  readonly locks: ArrayBufferLike
}

export function allocateSlotTable(buckets: number, shared: boolean): SlotTableBuffers {
  if (!Number.isInteger(Math.log2(buckets))) throw new Error(`slot table buckets must be a power of two, got ${buckets}`)
  const make = (bytes: number): ArrayBufferLike => (shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes))
  const entries = buckets * WAYS
  return { buckets, meta: make(entries * META * 4), cells: make(entries * CELLS * 8), locks: make(buckets * 4) }
}

export class SlotTable {
  readonly meta: Int32Array
  readonly cells: Float64Array
  readonly locks: Int32Array
  readonly #mask: number
  readonly #shared: boolean

  constructor(buffers: SlotTableBuffers) {
    this.meta = new Int32Array(buffers.meta)
    this.cells = new Float64Array(buffers.cells)
    this.locks = new Int32Array(buffers.locks)
    this.#mask = buffers.buckets - 1
    this.#shared = typeof SharedArrayBuffer !== 'undefined' && buffers.locks instanceof SharedArrayBuffer
  }

  /** Spin lock: critical sections are a few float operations, never an await, so spinning beats parking. */
  lock(bucket: number): void {
    if (this.#shared) while (Atomics.compareExchange(this.locks, bucket, 0, 1) !== 0);
  }

  unlock(bucket: number): void {
    if (this.#shared) Atomics.store(this.locks, bucket, 0)
  }

  bucketOfEntry(entry: number): number {
    return (entry / WAYS) | 0
  }

  homeBucket(hi: number): number {
    return hi & this.#mask
  }

  /** Compile time: the entry for `identity`, claiming a fresh (zeroed) one on first use. */
  pin(identity: string): number {
    const hi = hashHi(identity)
    const lo = hashLo(identity)
    for (let s = 0; s < MAX_SPILL; s++) {
      const bucket = (hi + s) & this.#mask
      this.lock(bucket)
      try {
        let free = -1
        for (let e = bucket * WAYS; e < bucket * WAYS + WAYS; e++) {
          const m = e * META
          if (this.meta[m + 2] === EMPTY) { if (free < 0) free = e; continue }
          if (this.meta[m] === hi && this.meta[m + 1] === lo) return e
        }
        if (free >= 0) {
          this.#claim(free, hi, lo, PINNED)
          return free
        }
      } finally {
        this.unlock(bucket)
      }
    }
    throw new Error(`limit state table is full (${this.meta.length / META} entries, kept for every key and limit seen since start): restart llmgw to reclaim the entries of removed keys and changed limits`)
  }

  /**
   * Hot path, caller holds the lock of homeBucket(hi): the evictable entry for (hi, lo), recycling one if needed.
   * `isIdle(cells, i)` says whether an entry's state is back to its initial value; `staleness` ranks the others.
   */
  findOrRecycle(hi: number, lo: number, isIdle: (i: number) => boolean, closeness: (i: number) => number): number {
    const start = this.homeBucket(hi) * WAYS
    let victim = -1
    let victimRank = Infinity
    for (let e = start; e < start + WAYS; e++) {
      const m = e * META
      const state = this.meta[m + 2]
      if (state === EVICTABLE && this.meta[m] === hi && this.meta[m + 1] === lo) return e
      if (state === PINNED) continue
      const rank = state === EMPTY || isIdle(e * CELLS) ? -1 : closeness(e * CELLS)
      if (rank < victimRank) { victim = e; victimRank = rank }
    }
    if (victim < 0) return -1
    this.#claim(victim, hi, lo, EVICTABLE)
    return victim
  }

  #claim(e: number, hi: number, lo: number, state: number): void {
    const m = e * META
    this.meta[m] = hi
    this.meta[m + 1] = lo
    this.meta[m + 2] = state
    this.cells.fill(0, e * CELLS, e * CELLS + CELLS)
  }
}

/** FNV-1a over UTF-16 code units: two seeds give the two halves of a 64-bit identity hash. */
export function hashHi(s: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193)
  return h | 0
}

export function hashLo(s: string): number {
  let h = 0x050c5d1f
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) ^ (h >>> 15)
  return h | 0
}
