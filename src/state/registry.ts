/** Runtime objects that survive hot reloads (SPEC §6): breakers and similar per-process state, keyed by identity. */

/*
 * Limit windows, gauges and budgets need no registry: the Store hands back the same entry for the same identity.
 * Objects that are not store entries (a provider's circuit breaker) are kept here. compile/ asks with an identity
 * that changes when the entity's configuration changes, so edited entities start fresh and unchanged ones carry on.
 * Each compile asks through trackUse(); after its gateway is swapped in, sweep() with what it used drops the rest, so
 * what is kept stays bounded by the spec's size however many reloads edit it (a dropped response cache frees its entries).
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

/** A view of `registry` that records every identity asked for: one compile's live set, to sweep() with after its swap. */
export function trackUse(registry: Registry): { registry: Registry; used: ReadonlySet<string> } {
  const used = new Set<string>()
  return {
    used,
    registry: {
      keep(identity, make) {
        used.add(identity)
        return registry.keep(identity, make)
      },
      sweep: (live) => registry.sweep(live),
      get size() {
        return registry.size
      },
    },
  }
}
