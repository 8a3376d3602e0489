/** compileGateway: a Plan (plan-gateway.ts) -> a ready-to-serve Gateway, protection included; the only compiler (STYLE §2.1, SPEC §4). */
import type { RequestObserver } from '../core/pipeline.js'
import type { Exchange, Gateway, MaybePromise } from '../core/types.js'
import { GatewayError } from '../core/errors.js'
import { createProviderClient } from '../providers/index.js'
import type { ProviderConfig } from '../providers/config.js'
import type { ProviderClient } from '../providers/types.js'
import type { Tracer } from '../observe/tracing.js'
import type { OnRejected } from '../stages/admission.js'
import { wrapBatching } from '../stages/batch-embeddings.js'
import { createMemoryCache, type ResponseCache } from '../stages/cache.js'
import type { GuardedProvider } from '../stages/provider-guard.js'
import { createMemoryStore } from '../state/memory.js'
import { createRegistry, type Registry } from '../state/registry.js'
import type { Store } from '../state/types.js'
import { compileAdminRoutes, type ReloadOutcome } from './admin.js'
import { compileEndpoint, type EndpointDeps, type InflightTracker } from './endpoint.js'
import { preloadTokenizer } from './estimate.js'
import { attachExperiments, type RollbackNotice } from './experiments.js'
import { compileModelTable, type ModelTable, type ProviderHandle } from './model.js'
import { compileModelRetrieve, compileModelsList } from './models-list.js'
import type { Plan } from './plan.js'
import { compileProtection } from './protection.js'
import { createProviderPool, type ProviderPool } from './provider-pool.js'
import { createPlannedClient, isKeyed, keyStats, readKeyFile } from './provider-keys.js'
import type { KeyPoolView } from '../providers/key-pool.js'
import { redactSpec } from './redact.js'
import { compileNotFound, JSON_HEADERS } from './respond.js'
import { compileRouter, type RouteTable } from './router.js'
import { compileRules } from './rules.js'
import { pluginHeaderNames } from './plugin-load.js'
import type { LoadedPlugin } from '../stages/plugin.js'
import { compileGlobs } from '../core/glob.js'
import type { ModelPlan } from './plan.js'
import { createStageProfile, isStageProfilingRequested, type StageProfile } from './stage-profile.js'

/** What the runtime takes besides the Plan: state that outlives it, hooks other rooms plug in. Every one is optional. */
export interface RuntimeDeps {
  observer?: RequestObserver
  /** Where limits and budgets are counted (SPEC §7); default a memory store of this Gateway alone. */
  store?: Store
  /** llmgw_ratelimit_rejections_total{scope}, bound once per scope, called per refusal. */
  onRejected?: OnRejected
  /** Build a client from its config (default: providers/index.ts createProviderClient). Tests inject fakes here. */
  createProvider?: (cfg: ProviderConfig) => ProviderClient
  /** Shared across reloads so unchanged providers keep their pools; a private one is made when absent. */
  providerPool?: ProviderPool
  /** /readyz: false while draining. */
  isReady?: () => boolean
  /** /readyz's 503 text when not ready for another reason than draining (the state store is down); default "draining". */
  notReady?: () => string | undefined
  /** A response cache for models[].cache by identity (state.store: redis shares it); default a memory cache. */
  createCache?: (identity: string) => ResponseCache
  /** /metrics text; absent -> 404. */
  metricsText?: () => MaybePromise<string>
  /** /admin/reload; absent -> 404. */
  reload?: () => Promise<ReloadOutcome>
  /** Build stage timing into the pipeline and serve /admin/stages (also on with LLMGW_PROFILE_STAGES=1). */
  profileStages?: boolean
  /** Client request headers forwarded to every upstream attempt (tests: x-mock-fail, x-mock-latency). */
  forwardHeaders?: readonly string[]
  /** Internal errors (bugs) with their request, for the log. */
  onError?: (err: unknown, ex: Exchange) => void
  /**
   * Runtime state kept by the app across reloads (SPEC §6), by identity: breakers and queues, response caches,
   * experiment rollback state. Unchanged entities carry on; absent: everything starts fresh.
   */
  registry?: Registry
  /** An experiment's canary was rolled back (for the log). */
  onRollback?: RollbackNotice
  /** Trace propagation and export (observe/tracing.ts); absent = no tracing code on the request path. */
  tracer?: Tracer
  /** /admin/config's `spec`: the loaded spec with secrets redacted, rendered on first request; default the redacted Plan. */
  specView?: () => unknown
  /** The Plan's plugin modules, loaded by rule index (compile/plugin-load.ts loadPlugins); needed when it has plugin rules. */
  plugins?: readonly (LoadedPlugin | undefined)[]
  /** /admin/config's `running` (compile/admin.ts): flag overrides and start-only settings waiting for a restart. */
  running?: () => unknown
}

/** The Gateway plus what the app, tests and the profiler read of it. */
export interface CompiledGateway extends Gateway {
  readonly plan: Plan
  readonly models: ModelTable
  readonly profile: StageProfile | undefined
  /** Each provider's queue and breaker, by name (the dashboard reads their state()). */
  readonly providerGuards: ReadonlyMap<string, GuardedProvider>
  /** Each key pool's keys (fingerprints), benches and counts, by provider name (llmgw_provider_key_*). */
  readonly keyPools: ReadonlyMap<string, KeyPoolView>
  /** Proxied requests running on this Gateway now. */
  readonly inflight: number
}

const WS_NEEDS_UPGRADE = new GatewayError('invalid_request', 'GET /v1/ws needs a WebSocket upgrade ("Connection: Upgrade", "Upgrade: websocket"); for plain HTTP use POST /v1/chat/completions').body()

export function compileGateway(plan: Plan, deps: RuntimeDeps = {}): CompiledGateway {
  const pool = deps.providerPool ?? createProviderPool()
  const create = deps.createProvider ?? createProviderClient
  const registry = deps.registry ?? createRegistry()
  // Rules and a JWT public key read files: compile them before any pool is acquired, so a failure here leaks nothing.
  const profile = deps.profileStages || isStageProfilingRequested() ? createStageProfile() : undefined
  const loaded = deps.plugins ?? []
  const isModel = compileModelNames(plan.models)
  const rulesOf = compileRules(plan.rules, {
    loaded,
    deps: (p) => {
      const stage = `plugin:${p.name}` as const
      return { onError: deps.onError, isModel, timeoutMs: plan.server.requestTimeoutMs, time: profile ? (ns) => profile.add(stage, ns) : undefined }
    },
  })
  const rules = new Map(plan.models.map((m) => [m, rulesOf(m)]))
  const protection = compileProtection(plan.access, {
    store: deps.store ?? createMemoryStore(),
    registry,
    ...(deps.onRejected ? { onRejected: deps.onRejected } : {}),
  })
  // Key files are read before any pool is acquired too (a missing file fails the compile, the old spec keeps serving).
  const providerPlans = plan.providers.map(readKeyFile)
  const keyPools = new Map<string, KeyPoolView>()
  const acquired: string[] = []
  const providers = new Map<string, ProviderHandle>()
  let table: ModelTable
  try {
    const batching = plan.batching.embeddings
    for (const p of providerPlans) {
      const stats = keyStats(p, registry)
      const client = pool.acquire(p.identity, () => createPlannedClient(p, stats, create))
      acquired.push(p.identity)
      if (isKeyed(client)) keyPools.set(p.name, client.pool)
      // Batching outside the queue and breaker: one batched upstream call takes one slot.
      const guarded = protection.wrap(client, p)
      providers.set(p.name, { client: batching ? wrapBatching(guarded, batching) : guarded, timeoutMs: p.config.timeoutMs })
    }
    table = compileModelTable(plan.models, providers, (m) => rules.get(m)!.guards)
    for (const m of table.models) {
      m.response = rules.get(m.plan)!.response
      const c = m.plan.cache
      if (c !== undefined) m.cache = { ttlMs: c.ttlMs, staleMs: c.staleMs, store: registry.keep(c.identity, () => deps.createCache?.(c.identity) ?? createMemoryCache()) }
    }
    attachExperiments(plan.experiments, table, providers, { registry, ...(deps.onRollback ? { onRollback: deps.onRollback } : {}) })
  } catch (e) {
    for (const id of acquired) void pool.release(id)
    protection.close()
    throw e
  }
  const admission = protection.admission
  if (countsPromptTokens(plan)) void preloadTokenizer()

  const tracker: InflightTracker = { n: 0, onIdle: undefined }
  const endpointDeps: EndpointDeps = {
    table,
    authenticate: protection.authenticate,
    admission,
    observer: deps.observer,
    requestTimeoutMs: plan.server.requestTimeoutMs,
    sseKeepaliveMs: plan.server.sseKeepaliveMs,
    forwardHeaders: deps.forwardHeaders ?? [],
    profile,
    onError: deps.onError,
    tracker,
    tracer: deps.tracer,
  }
  const chat = compileEndpoint('chat', endpointDeps)
  const messagesNotFound = compileNotFound('no such path under /v1/messages', 'anthropic')
  const storedResponses = compileNotFound('llmgw keeps no responses: /v1/responses/{id} (retrieve, cancel, input_items) is not available; send the whole conversation in input', 'openai')
  const createdSec = Math.floor(Date.now() / 1000)
  const proxied: RouteTable = {
    '/v1/chat/completions': { POST: chat },
    '/v1/completions': { POST: compileEndpoint('completions', endpointDeps) },
    '/v1/embeddings': { POST: compileEndpoint('embeddings', endpointDeps) },
    '/v1/messages': { POST: compileEndpoint('messages', endpointDeps) },
    '/v1/messages/count_tokens': { POST: compileEndpoint('count_tokens', endpointDeps) },
    '/v1/messages/*': { GET: messagesNotFound, POST: messagesNotFound },
    '/v1/responses': { POST: compileEndpoint('responses', endpointDeps) },
    '/v1/responses/*': { GET: storedResponses, POST: storedResponses },
    '/v1/models': { GET: compileModelsList(table.names, protection.authenticate, createdSec) },
    '/v1/models/*': { GET: compileModelRetrieve(table.names, (id) => table.resolve(id) !== undefined, protection.authenticate, createdSec) },
    // A plain GET reaches here only without an Upgrade header (the server answers upgrades itself): say what is needed (QA F11).
    '/v1/ws': { GET: { hasBody: false, handle: (_ex, sink) => sink.send(400, JSON_HEADERS, WS_NEEDS_UPGRADE) } },
  }
  const admin = compileAdminRoutes({
    version: plan.version,
    spec: deps.specView ?? (() => redactSpec(plan)),
    token: plan.admin.token,
    isReady: deps.isReady,
    notReady: deps.notReady,
    metricsText: deps.metricsText,
    reload: deps.reload,
    profile,
    ...(deps.running ? { running: deps.running } : {}),
  })
  const probes: RouteTable = { '/healthz': admin['/healthz']!, '/readyz': admin['/readyz']! }
  const hasAdminPort = plan.admin.port !== undefined
  let retired: Promise<void> | undefined

  return {
    version: plan.version,
    maxBodyBytes: plan.server.maxBodyBytes,
    headerNames: headerNames(plan.headerNames, [...pluginHeaderNames(loaded), ...(deps.forwardHeaders ?? [])]),
    main: compileRouter(hasAdminPort ? { ...proxied, ...probes } : { ...proxied, ...admin }),
    admin: hasAdminPort ? compileRouter(admin) : null,
    ws: chat,
    plan,
    models: table,
    profile,
    providerGuards: protection.guarded,
    keyPools,
    get inflight() {
      return tracker.n
    },
    retire() {
      return (retired ??= (async () => {
        if (tracker.n > 0) await new Promise<void>((resolve) => (tracker.onIdle = resolve))
        await Promise.all(acquired.map((id) => pool.release(id)))
        protection.close()
      })())
    },
  }
}

function headerNames(base: readonly string[], more: readonly string[]): readonly string[] {
  return more.length === 0 ? base : [...new Set([...base, ...more.map((h) => h.toLowerCase())])]
}

/** Whether a name is a public model of the Plan (exact, or matched by a glob model). */
function compileModelNames(models: readonly ModelPlan[]): (name: string) => boolean {
  const exact = new Set(models.filter((m) => !m.isGlob).map((m) => m.name))
  const globs = models.filter((m) => m.isGlob).map((m) => m.name)
  const test = globs.length === 0 ? () => false : compileGlobs(globs)
  return (name) => exact.has(name) || test(name)
}

/**
 * Whether a request's prompt tokens are counted on the event loop: for tpm windows, budgets (the cost estimate is
 * tokens times price) and context trimming. Only then is gpt-tokenizer loaded in this thread: its o200k ranks hold
 * ~35-45 MB of RSS (bench/README.md "Where the RSS goes"), which rpm or concurrency limits, or any other rule, never use.
 */
export function countsPromptTokens(plan: Plan): boolean {
  const a = plan.access
  if (a.limits?.perIp?.tpm !== undefined) return true
  if (a.keys?.some((k) => k.limits?.tpm !== undefined || k.budget !== undefined)) return true
  return plan.models.some((m) => m.context !== undefined)
}
