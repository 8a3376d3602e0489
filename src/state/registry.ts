/** Runtime objects that survive hot reloads (SPEC §6): breakers and similar per-process state, keyed by identity. */

/*
 * Limit windows, gauges and budgets need no registry: the Store hands back the same entry for the same identity.
 * Objects that are not store entries (a provider's circuit breaker) are kept here. compile/ asks with an identity
 * that changes when the entity's configuration changes, so edited entities start fresh and unchanged ones carry on.
 * After a successful reload, sweep() with the identities still in use drops the rest (bounded by the spec's size).
 */
export interface Registry {
  keep<T>(identity: string, make: () => T): T
  /** Drop entries not named in `live`; returns how many were dropped. */
  sweep(live: Iterable<string>): number
  readonly size: number
}

export function createRegistry(): Registry {
  const entries = new Map<string, unknown>()
  return {
    keep<T>(identity: string, make: () => T): T {
      if (entries.has(identity)) return entries.get(identity) as T
      const v = make()
      entries.set(identity, v)
      return v
    },
    sweep(live) {
      const keepSet = new Set(live)
      let dropped = 0
      for (const id of entries.keys()) {
        if (!keepSet.has(id)) {
          entries.delete(id)
          dropped++
        }
      }
      return dropped
    },
    get size() {
      return entries.size
    },
  }
}
