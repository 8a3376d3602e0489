/** What one app keeps across every reload (SPEC §6): observability, the limit store, the registry (breakers, response caches, experiments), tracer. */
import type { RollbackNotice } from '../compile/experiments.js'
import type { ProtectionState } from '../compile/protection.js'
import { createTracer, type Tracer } from '../observe/tracing.js'
import type { RejectScope } from '../stages/admission.js'
import type { LoadResult } from '../spec/load.js'
import type { Spec } from '../spec/schema.js'
import { createRegistry } from '../state/registry.js'
import type { Metrics, ProviderKeyState } from '../observe/metrics.js'
import type { KeyPoolView } from '../providers/key-pool.js'
import { type AppObservability, createAppObservability } from './observe.js'
import type { GuardedProvider } from '../stages/provider-guard.js'
import type { ResponseCache } from '../stages/cache.js'
import type { AppLog, StartOptions } from './types.js'
import { createStateStore, type OwnedStore, type StoreReport } from './state-store.js'

export interface AppState {
  readonly observe: AppObservability
  readonly protection: ProtectionState
  readonly tracer: Tracer
  readonly onRollback: RollbackNotice
  /** false while the state store cannot serve (Redis down, state.onUnavailable: closed): /readyz answers 503. */
  storeReady(): boolean
  /** The response cache shared through the store (state.store: redis); absent: memory caches. */
  readonly createCache?: (identity: string) => ResponseCache
  /** Close what start opened, in reverse: store, tracer (flushes spans), access log. */
  close(): Promise<void>
}

const REJECT_SCOPES: readonly RejectScope[] = ['key', 'ip', 'global', 'concurrency', 'budget']

/** Settings read once at start (listen address, threads, store, observability): a reload cannot change them. */
const START_ONLY: ReadonlyArray<readonly [string, (s: Spec) => unknown]> = [
  ['server.host', (s) => s.server.host],
  ['server.port', (s) => s.server.port],
  ['server.workers', (s) => s.server.workers],
  ['admin.port', (s) => s.admin.port],
  ['state', (s) => [s.state.store, s.state.onUnavailable, s.state.redis?.prefix, s.state.redis?.url?.reveal(), s.state.redis?.commandTimeout, s.state.redis?.cacheMaxEntry]],
  ['observability', (s) => s.observability],
]

/** The start-only settings `now` changes against the spec the process started with: they wait for a restart. */
export function restartOnlyChanges(started: Spec, now: Spec): string[] {
  return START_ONLY.filter(([, of]) => JSON.stringify(of(started)) !== JSON.stringify(of(now))).map(([name]) => name)
}

/** `serving` gives the provider guards of the Gateway serving now (the dashboard reads their state). */
export async function createAppState(
  opts: StartOptions,
  first: LoadResult & { ok: true },
  log: AppLog,
  serving: () => ReadonlyMap<string, GuardedProvider> | undefined,
  servingKeys?: () => ReadonlyMap<string, KeyPoolView> | undefined,
): Promise<AppState> {
  const observe = createAppObservability(first.spec, first.version, {
    accessLog: opts.accessLog ?? true,
    dashboard: opts.dashboard,
    ...(opts.countReloads === undefined ? {} : { countReloads: opts.countReloads }),
    ...(first.file ? { specFile: first.file } : {}),
    providerStates: () => [...(serving() ?? [])].map(([name, g]) => ({ name, ...g.state() })),
    ...(servingKeys ? { providerKeys: () => poolKeys(servingKeys()) } : {}),
  })
  const metrics = observe.metrics
  // Bound once: a refusal costs one map lookup and a counter increment, no label hashing.
  const rejections = metrics ? new Map(REJECT_SCOPES.map((s) => [s, metrics.rejections(s)] as const)) : undefined
  // Redis (state.store: redis) is chosen at start; switching stores needs a restart, like server.port.
  let owned: OwnedStore | undefined
  try {
    owned = opts.store ? undefined : await createStateStore(first.spec, storeReport(first.spec, log, metrics))
  } catch (e) {
    await observe.close()
    throw e
  }
  const protection: ProtectionState = {
    store: opts.store ?? owned!.store,
    registry: createRegistry(),
    ...(rejections ? { onRejected: (scope: RejectScope) => rejections.get(scope)?.inc() } : {}),
  }
  const t = first.spec.observability.tracing
  const tracer = await createTracer(t ? { otlpEndpoint: t.otlpEndpoint, sampleRatio: t.sampleRatio, serviceName: t.serviceName, headers: t.headers } : undefined)
  return {
    observe,
    protection,
    tracer,
    onRollback: (experiment, variant, why) => log.warn('experiment variant rolled back', { event: 'rollback', experiment, variant, why }),
    storeReady: () => owned?.ready() ?? true,
    ...(owned?.createCache ? { createCache: owned.createCache } : {}),
    async close() {
      await owned?.close()
      await tracer.close()
      await observe.close()
    },
  }
}

/** Every key of every pool, flattened for the scrape. */
function* poolKeys(pools: ReadonlyMap<string, KeyPoolView> | undefined): Iterable<ProviderKeyState> {
  for (const p of pools?.values() ?? []) for (const k of p.keys()) yield { provider: p.provider, ...k }
}

/**
 * The store's health in the log and the metrics: one line when an outage starts (and what the policy does about it),
 * one when it ends; llmgw_state_store_up follows; each operation answered without Redis is counted by action.
 */
function storeReport(spec: Spec, log: AppLog, metrics: Metrics | undefined): StoreReport {
  const policy = spec.state.onUnavailable
  const does = policy === 'closed' ? 'requests that need it are refused with 503 upstream_unavailable' : 'limits and budgets are enforced per process'
  const counters = metrics ? { rejected: metrics.stateStore.unavailable('rejected'), local: metrics.stateStore.unavailable('local') } : undefined
  return {
    onChange(up, why) {
      metrics?.stateStore.setUp(up)
      if (up) log.info('state store (redis) is available again', { event: 'state-store', up, policy })
      else log.warn(`state store (redis) is unavailable: ${does} until it returns (state.onUnavailable: ${policy})`, { event: 'state-store', up, policy, why })
    },
    ...(counters ? { onUnavailable: (action: 'rejected' | 'local') => counters[action].inc() } : {}),
    onStartDegraded(why) {
      metrics?.stateStore.setUp(false)
      log.warn(`state store (redis) is unavailable at start: ${does} until it answers (state.onUnavailable: ${policy})`, { event: 'state-store', up: false, policy, why })
    },
  }
}
