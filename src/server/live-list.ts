/**
 * The responses not finished yet, for a shutdown that has to cut them (server.ts cutInflight): an intrusive
 * doubly-linked list through the sinks themselves.
 *
 * Not a Set (HOT PATH, one add and one delete per request): a Set that every request adds to and deletes from
 * reallocates its table as it grows and shrinks, and a dead table that reached old space keeps the sinks it held, and
 * all their requests' objects, alive through young-generation GCs until the next full GC. Measured on a 20-chunk
 * stream (issue 14): 6.6% of the allocations survived scavenges with the Set, 2.7% with this list. Removal clears
 * the node's own links, so a finished sink references no other request.
 */
export interface LiveNode<T> {
  livePrev: T | undefined
  liveNext: T | undefined
}

export class LiveList<T extends LiveNode<T>> {
  #head: T | undefined
  #size = 0

  get size(): number {
    return this.#size
  }

  add(n: T): void {
    const h = this.#head
    n.livePrev = undefined
    n.liveNext = h
    if (h !== undefined) h.livePrev = n
    this.#head = n
    this.#size++
  }

  /** Removes n if it is in the list (a second delete is a no-op). */
  delete(n: T): void {
    const { livePrev: p, liveNext: x } = n
    if (p === undefined && this.#head !== n) return
    if (p !== undefined) p.liveNext = x
    else this.#head = x
    if (x !== undefined) x.livePrev = p
    n.livePrev = undefined
    n.liveNext = undefined
    this.#size--
  }

  /** A copy, so callers may finish (and so delete) the sinks while walking it. */
  toArray(): T[] {
    const out: T[] = []
    for (let n = this.#head; n !== undefined; n = n.liveNext) out.push(n)
    return out
  }
}
