/** Bounded label sets and prebound counter slots for the SPEC §5 metrics (model/provider/key from the spec only). */
import type { Counter, Histogram } from 'prom-client'

export const UNKNOWN = 'unknown'
export const ANONYMOUS = 'anonymous'

/** The label values a spec allows; anything else a request carries is counted as `unknown`. */
export interface LabelSets {
  readonly models: readonly string[]
  readonly providers: readonly string[]
  readonly keys: readonly string[]
}

/** One label combination of one counter. inc() is a float add: no hashing, no allocation. */
export class Slot {
  n = 0
  sent = 0
  constructor(readonly labels: Readonly<Record<string, string>>) {}
  inc(v = 1): void {
    this.n += v
  }
}

/**
 * prom-client's own label children hash their labels on every inc(); these slots move that work to scrape time:
 * the counter's collect() hook pushes each slot's delta into prom-client just before the registry renders.
 */
export class SlotTable {
  readonly #slots = new Map<string, Slot>()
  constructor(readonly names: readonly string[]) {}
  /** Compile or first-use time only: the caller caches the Slot. */
  slot(...values: string[]): Slot {
    const id = values.join('\u0000')
    let s = this.#slots.get(id)
    if (!s) {
      s = new Slot(Object.fromEntries(this.names.map((n, i) => [n, values[i]!])))
      this.#slots.set(id, s)
    }
    return s
  }
  flush(counter: Counter<string>): void {
    for (const s of this.#slots.values()) {
      if (s.n > s.sent) counter.inc(s.labels, s.n - s.sent)
      s.sent = s.n
    }
  }
  /** Forget series whose label `name` is no longer allowed (after a reload). */
  drop(counter: Counter<string>, name: string, keep: ReadonlySet<string>): void {
    for (const [id, s] of this.#slots) {
      const v = s.labels[name]
      if (v === undefined || v === UNKNOWN || v === ANONYMOUS || keep.has(v)) continue
      this.#slots.delete(id)
      counter.remove(s.labels)
    }
  }
}

/** prom-client's state of a label-less histogram (lib/histogram.js, 15.x); metrics.test.ts pins the equivalence. */
interface HistogramState {
  hashMap: Record<string, { bucketValues: Record<string, number>; sum: number; count: number } | undefined>
  zero(labels: Record<string, string>): void
}

/**
 * A label-less histogram's counts as plain numbers, written into the prom-client Histogram by its collect() hook.
 * HOT PATH: prom-client's observe() allocates a labels/value pair, validates and hashes the (empty) label set and
 * indexes its buckets by the bound's text on every call (~1 µs CPU here, bench/observe/README.md); this is a
 * bucket search and three float adds. The state is copied whole (not as deltas), so the scrape shows exactly the
 * sums and counts observe() would have produced: same values, same order of additions.
 */
export class HistogramSlot {
  readonly #bounds: Float64Array
  /** Per bucket (not cumulative), as prom-client keeps them: a value goes to the first bound it does not exceed. */
  readonly #counts: Float64Array
  #sum = 0
  #count = 0
  constructor(readonly bounds: readonly number[]) {
    this.#bounds = Float64Array.from(bounds)
    this.#counts = new Float64Array(bounds.length)
  }

  observe(v: number): void {
    // prom-client throws on these and records nothing; on the request path nothing is recorded and nothing thrown.
    if (!Number.isFinite(v)) return
    const b = this.#bounds
    let i = 0
    while (i < b.length && v > b[i]!) i++
    if (i < b.length) this.#counts[i]!++
    this.#sum += v
    this.#count++
  }

  /** From the histogram's collect() hook, just before prom-client reads its state. */
  flush(h: Histogram<string>): void {
    const state = h as unknown as HistogramState
    let e = state.hashMap['']
    if (e === undefined) {
      state.zero({})
      e = state.hashMap['']!
    }
    for (let i = 0; i < this.bounds.length; i++) e.bucketValues[this.bounds[i]!] = this.#counts[i]!
    e.sum = this.#sum
    e.count = this.#count
  }
}

export interface CounterTables {
  readonly requests: SlotTable
  readonly tokens: SlotTable
  readonly cost: SlotTable
  /** llmgw_degraded_total{model,mode}; optional so tables built before it still fit. */
  readonly degraded?: SlotTable
}

/** models[].degrade modes (compile/degrade.ts). */
export type DegradeMode = 'static' | 'stale'

/** Per-model slots. Request and cost slots are created on first use and cached here (bounded by the spec). */
export class ModelSlots {
  readonly input: Slot
  readonly output: Slot
  /** llmgw_degraded_total by mode: slots at 0 are never exported, so a model that never degraded has no series. */
  readonly degraded: Readonly<Record<DegradeMode, Slot>> | undefined
  #requests = new Map<string, Map<number, Slot>>()
  #cost = new Map<string | undefined, Slot>()
  constructor(
    readonly name: string,
    private readonly tables: CounterTables,
    private index: { key(id: string | undefined): string },
  ) {
    this.input = tables.tokens.slot(name, 'input')
    this.output = tables.tokens.slot(name, 'output')
    const d = tables.degraded
    this.degraded = d === undefined ? undefined : { static: d.slot(name, 'static'), stale: d.slot(name, 'stale') }
  }
  request(provider: string, status: number): Slot {
    let byStatus = this.#requests.get(provider)
    if (!byStatus) this.#requests.set(provider, (byStatus = new Map()))
    let s = byStatus.get(status)
    if (!s) {
      const code = Number.isInteger(status) && status >= 100 && status <= 599 ? String(status) : UNKNOWN
      byStatus.set(status, (s = this.tables.requests.slot(this.name, provider, code)))
    }
    return s
  }
  cost(keyId: string | undefined): Slot {
    let s = this.#cost.get(keyId)
    if (!s) this.#cost.set(keyId, (s = this.tables.cost.slot(this.index.key(keyId), this.name)))
    return s
  }
  /** Reload: drop cached lookups so removed names stop resolving; the slots (and values) live on in the tables. */
  reset(index: { key(id: string | undefined): string }): void {
    this.index = index
    this.#requests = new Map()
    this.#cost = new Map()
  }
}

export interface LabelIndex {
  readonly providers: readonly string[]
  model(name: string | undefined): ModelSlots
  provider(name: string | undefined): string
  hasProvider(name: string): boolean
  update(next: LabelSets): LabelIndex
}

export function createLabelIndex(sets: LabelSets, tables: CounterTables, prev?: Map<string, ModelSlots>): LabelIndex {
  const providers = new Set(sets.providers)
  const keys = new Set(sets.keys)
  const keyIndex = { key: (id: string | undefined) => (id === undefined ? ANONYMOUS : keys.has(id) ? id : UNKNOWN) }
  const models = new Map<string, ModelSlots>()
  for (const name of [...new Set(sets.models), UNKNOWN]) {
    const kept = prev?.get(name)
    kept?.reset(keyIndex)
    models.set(name, kept ?? new ModelSlots(name, tables, keyIndex))
  }
  const unknown = models.get(UNKNOWN)!
  return {
    providers: [...providers],
    model: (name) => (name === undefined ? unknown : (models.get(name) ?? unknown)),
    provider: (name) => (name !== undefined && providers.has(name) ? name : UNKNOWN),
    hasProvider: (name) => providers.has(name),
    update: (next) => createLabelIndex(next, tables, models),
  }
}
