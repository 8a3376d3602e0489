/** Prometheus metrics: every SPEC §5 name, bounded labels, prebound children; served on /metrics (SPEC §4). */
import { AggregatorRegistry, Counter, Gauge, Histogram, Registry } from 'prom-client'
import type { MetricObjectWithValues, MetricValue } from 'prom-client'
import type { RequestObserver, RequestRecord } from '../core/pipeline.js'
import { createLabelIndex, HistogramSlot, SlotTable, UNKNOWN } from './metric-labels.js'
import type { LabelIndex, LabelSets } from './metric-labels.js'

export type { LabelSets } from './metric-labels.js'

export type BreakerState = 'closed' | 'open' | 'half-open'
export type RejectionScope = 'ip' | 'key' | 'global' | 'budget' | 'concurrency'
export type CacheResult = 'hit' | 'miss' | 'bypass'
export type ReloadResult = 'ok' | 'error'
/** One worker's metrics as plain data: structured-cloneable, so it crosses worker_threads. */
export type MetricsJSON = MetricObjectWithValues<MetricValue<string>>[]

/** A label child bound once: the hot path calls inc() and pays no label hashing. */
export interface BoundCounter {
  inc(n?: number): void
}

export interface Metrics extends RequestObserver {
  readonly contentType: string
  rejections(scope: RejectionScope): BoundCounter
  /** onEnd already counts RequestRecord.cache; use this only for lookups that produce no RequestRecord. */
  cacheResult(result: CacheResult): BoundCounter
  reload(result: ReloadResult): void
  /** llmgw_state_store_up (1/0) and llmgw_state_store_unavailable_total{action}: the limit store (issue 13). */
  readonly stateStore: StateStoreMetrics
  setConfigVersion(version: string): void
  /** After a reload: series of kept names keep their values, removed names' series are dropped. */
  updateLabels(opts: LabelSets): void
  text(): Promise<string>
  metricsJSON(): Promise<MetricsJSON>
}

/** What happened to a store operation while Redis was away: refused (onUnavailable: closed) or counted here (open). */
export type UnavailableAction = 'rejected' | 'local'
export interface StateStoreMetrics {
  setUp(up: boolean): void
  unavailable(action: UnavailableAction): BoundCounter
}

const BREAKER_VALUE: Record<BreakerState, number> = { closed: 0, open: 1, 'half-open': 2 }
const SCOPES: readonly RejectionScope[] = ['ip', 'key', 'global', 'budget', 'concurrency']
const CACHE_RESULTS: readonly CacheResult[] = ['hit', 'miss', 'bypass']
// LLM calls run from ~10 ms (cache hit, tiny embedding) to minutes (long generations): cover 10 ms .. 120 s.
const LATENCY_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 90, 120]
const TTFT_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120]

/** What the scrape reads live, from the Gateway serving now. */
export interface LiveStates {
  /** Each provider's breaker state now (llmgw_breaker_state): a reload's fresh breaker, a cooldown that ran out. */
  breakers?: () => Iterable<{ readonly name: string; readonly breaker: BreakerState }>
  /** Provider key pools now (llmgw_provider_key_*): each key by fingerprint, never by value; counts are totals. */
  keys?: () => Iterable<ProviderKeyState>
}

/** One key of a provider's pool as the scrape reads it (providers/key-pool.ts KeyPoolView, flattened). */
export interface ProviderKeyState {
  readonly provider: string
  /** The key's fingerprint (first 8 hex of its sha256). */
  readonly key: string
  readonly benched: boolean
  /** Attempts by result (ok, rate_limited, unauthorized, error) since the key joined the pool. */
  readonly counts: Readonly<Record<string, number>>
}

export function createMetrics(opts: LabelSets, live: LiveStates = {}): Metrics {
  const registry = new Registry()
  const registers = [registry]
  // Hot-path counters live in slot tables (plain numbers); collect() moves their deltas into prom-client per scrape.
  const tables = {
    requests: new SlotTable(['model', 'provider', 'status']),
    tokens: new SlotTable(['model', 'direction']),
    cost: new SlotTable(['key', 'model']),
    degraded: new SlotTable(['model', 'mode']),
  }
  const small = { scope: new SlotTable(['scope']), cache: new SlotTable(['result']) }
  let inflightN = 0
  const requests: Counter<string> = new Counter({
    name: 'llmgw_requests_total', help: 'Finished requests', labelNames: ['model', 'provider', 'status'], registers,
    collect: () => tables.requests.flush(requests),
  })
  // Histograms too: counted in plain arrays on the hot path, copied into prom-client by collect() at scrape time.
  const durationSlot = new HistogramSlot(LATENCY_BUCKETS)
  const ttftSlot = new HistogramSlot(TTFT_BUCKETS)
  const duration: Histogram<string> = new Histogram({
    name: 'llmgw_request_duration_seconds', help: 'Whole request latency', buckets: LATENCY_BUCKETS, registers,
    collect: () => durationSlot.flush(duration),
  })
  const ttft: Histogram<string> = new Histogram({
    name: 'llmgw_upstream_ttft_seconds', help: 'Time to first token of streamed upstream answers', buckets: TTFT_BUCKETS, registers,
    collect: () => ttftSlot.flush(ttft),
  })
  const tokens: Counter<string> = new Counter({
    name: 'llmgw_tokens_total', help: 'Tokens by direction (input|output)', labelNames: ['model', 'direction'], registers,
    collect: () => tables.tokens.flush(tokens),
  })
  const cost: Counter<string> = new Counter({
    name: 'llmgw_cost_usd_total', help: 'Cost in USD', labelNames: ['key', 'model'], registers,
    collect: () => tables.cost.flush(cost),
  })
  const degraded: Counter<string> = new Counter({
    name: 'llmgw_degraded_total', help: 'Answers given by models[].degrade instead of an error, by mode (static|stale)', labelNames: ['model', 'mode'], registers,
    collect: () => tables.degraded.flush(degraded),
  })
  const cache: Counter<string> = new Counter({
    name: 'llmgw_cache_requests_total', help: 'Response cache lookups', labelNames: ['result'], registers,
    collect: () => small.cache.flush(cache),
  })
  const rejected: Counter<string> = new Counter({
    name: 'llmgw_ratelimit_rejections_total', help: 'Requests refused by a limit', labelNames: ['scope'], registers,
    collect: () => small.scope.flush(rejected),
  })
  // Workers each hold a copy of breaker state and config version: summing them would be meaningless.
  // Read at scrape time from the breakers serving now: pushed on transitions, the gauge kept a breaker's "open" after a
  // reload replaced it with a fresh one, and showed "open" past its cooldown until a request moved it to half-open.
  const states = live.breakers
  const breaker: Gauge<string> = new Gauge({
    name: 'llmgw_breaker_state', help: '0 closed, 1 open, 2 half-open', labelNames: ['provider'], aggregator: 'max', registers,
    ...(states ? { collect: () => { for (const p of states()) if (labels.hasProvider(p.name)) breaker.labels(p.name).set(BREAKER_VALUE[p.breaker]) } } : {}),
  })
  // Key pools (issue 13), read at scrape time from the pools serving now: totals are kept by the pool across reloads,
  // so each scrape rebuilds the series (a key rotated out disappears instead of lingering).
  const pools = live.keys
  const keyRequests: Counter<string> = new Counter({
    name: 'llmgw_provider_key_requests_total', help: 'Upstream attempts per pooled API key (key = sha256 fingerprint) by result', labelNames: ['provider', 'key', 'result'], registers,
    ...(pools ? { collect: () => {
      keyRequests.reset()
      for (const k of pools()) for (const [result, n] of Object.entries(k.counts)) keyRequests.labels(k.provider, k.key, result).inc(n)
    } } : {}),
  })
  const keyBenched: Gauge<string> = new Gauge({
    name: 'llmgw_provider_key_benched', help: '1 while a pooled API key is benched after a 401/429 from the upstream', labelNames: ['provider', 'key'], aggregator: 'max', registers,
    ...(pools ? { collect: () => {
      keyBenched.reset()
      for (const k of pools()) keyBenched.labels(k.provider, k.key).set(k.benched ? 1 : 0)
    } } : {}),
  })
  const inflight: Gauge = new Gauge({ name: 'llmgw_inflight_requests', help: 'Requests in flight', registers, collect: () => inflight.set(inflightN) })
  // The store's health, pushed on each transition; 'min' across workers: one worker without Redis is an outage.
  const storeUp = new Gauge({ name: 'llmgw_state_store_up', help: 'The limit store answers (1) or not (0); the memory store is always 1', aggregator: 'min', registers })
  storeUp.set(1)
  const storeUnavailable = new Counter({
    name: 'llmgw_state_store_unavailable_total', help: 'Store operations answered without Redis: rejected (closed) or local (open)', labelNames: ['action'], registers,
  })
  const stateStore: StateStoreMetrics = {
    setUp: (up) => storeUp.set(up ? 1 : 0),
    unavailable: (action) => storeUnavailable.labels(action),
  }
  for (const a of ['rejected', 'local']) storeUnavailable.labels(a).inc(0)
  const reloads = new Counter({ name: 'llmgw_config_reloads_total', help: 'Spec reloads', labelNames: ['result'], registers })
  const info = new Gauge({ name: 'llmgw_config_info', help: 'Active spec version (value 1)', labelNames: ['version'], aggregator: 'max', registers })

  const scopeSlots = new Map(SCOPES.map((s) => [s, small.scope.slot(s)] as const))
  const cacheSlots = new Map(CACHE_RESULTS.map((r) => [r, small.cache.slot(r)] as const))
  const cacheByRecord = { HIT: cacheSlots.get('hit')!, MISS: cacheSlots.get('miss')!, BYPASS: cacheSlots.get('bypass')! }
  for (const r of ['ok', 'error']) reloads.labels(r).inc(0)
  let labels: LabelIndex = createLabelIndex(opts, tables)
  for (const p of opts.providers) breaker.labels(p).set(0)
  let version: string | undefined

  return {
    contentType: registry.contentType,
    onStart() {
      inflightN++
    },
    // HOT PATH: Map lookups on bounded label sets only; no string building, no label hashing.
    onEnd(r: RequestRecord) {
      inflightN--
      const m = labels.model(r.model)
      m.request(labels.provider(r.provider), r.status).inc()
      durationSlot.observe(r.latencyMs / 1000)
      if (r.ttftMs !== undefined) ttftSlot.observe(r.ttftMs / 1000)
      if (r.promptTokens > 0) m.input.inc(r.promptTokens)
      if (r.completionTokens > 0) m.output.inc(r.completionTokens)
      if (r.costUsd > 0) m.cost(r.keyId).inc(r.costUsd)
      if (r.cache !== undefined) cacheByRecord[r.cache].inc()
      if (r.degraded !== undefined) m.degraded?.[r.degraded].inc()
    },
    rejections: (scope) => scopeSlots.get(scope) ?? small.scope.slot(UNKNOWN),
    cacheResult: (result) => cacheSlots.get(result) ?? small.cache.slot(UNKNOWN),
    stateStore,
    reload(result) {
      reloads.inc({ result: result === 'ok' ? 'ok' : 'error' })
    },
    setConfigVersion(v) {
      if (version !== undefined && version !== v) info.remove(version)
      version = v
      info.labels(v).set(1)
    },
    updateLabels(next) {
      for (const p of labels.providers) if (!next.providers.includes(p)) breaker.remove(p)
      for (const p of next.providers) if (!labels.hasProvider(p)) breaker.labels(p).set(0)
      const models = new Set(next.models)
      tables.requests.drop(requests, 'model', models)
      tables.requests.drop(requests, 'provider', new Set(next.providers))
      tables.tokens.drop(tokens, 'model', models)
      tables.cost.drop(cost, 'model', models)
      tables.degraded.drop(degraded, 'model', models)
      tables.cost.drop(cost, 'key', new Set(next.keys))
      labels = labels.update(next)
    },
    text: () => registry.metrics(),
    metricsJSON: () => registry.getMetricsAsJSON() as Promise<MetricsJSON>,
  }
}

/** The /metrics body for `--workers N`: each worker's metricsJSON() summed (gauges above: max) into one scrape. */
export async function mergeMetricsText(jsons: readonly MetricsJSON[]): Promise<string> {
  return AggregatorRegistry.aggregate(jsons as MetricsJSON[]).metrics()
}
