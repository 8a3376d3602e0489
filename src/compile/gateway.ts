/** compileGateway: a validated Spec -> a ready-to-serve Gateway; nothing on the request path reads the Spec (issue 3, SPEC §4). */
import type { Guard, RequestObserver } from '../core/pipeline.js'
import type { Exchange, Gateway, MaybePromise } from '../core/types.js'
import { createProviderClient } from '../providers/index.js'
import type { ProviderConfig } from '../providers/config.js'
import type { ProviderClient } from '../providers/types.js'
import type { ProviderSpec, Spec } from '../spec/schema.js'
import { specVersion } from '../spec/version.js'
import { compileAdminRoutes, type ReloadOutcome } from './admin.js'
import { type Authenticate, compileEndpoint, type EndpointDeps, type InflightTracker } from './endpoint.js'
import { preloadTokenizer } from './estimate.js'
import { compileModelTable, type ModelTable, type ProviderHandle } from './model.js'
import { compileModelRetrieve, compileModelsList } from './models-list.js'
import { compilePlan, type ModelPlan, type Plan } from './plan.js'
import { createProviderPool, type ProviderPool } from './provider-pool.js'
import { redactSpec } from './redact.js'
import type { Tracer } from '../observe/tracing.js'
import { JSON_HEADERS } from './respond.js'
import { GatewayError } from '../core/errors.js'
import { compileRouter, type RouteTable } from './router.js'
import { createStageProfile, isStageProfilingRequested, type StageProfile } from './stage-profile.js'
import { wrapBatching } from '../stages/batch-embeddings.js'
import { createMemoryCache, type ResponseCache } from '../stages/cache.js'
import { createRegistry, type Registry } from '../state/registry.js'
import { formatIdentity } from './identity.js'
import { experimentHeaderNames } from '../stages/experiment.js'
import { attachExperiments, type RollbackNotice } from './experiments.js'
import { compileModelRules, ruleHeaderNames } from './rules.js'

/** Hooks other rooms plug in; every one is optional (absent: no auth, no limits, no metrics). */
export interface CompileDeps {
  /** Spec version hash (LoadResult.version); computed from the spec when absent. */
  version?: string
  observer?: RequestObserver
  /** Runs first, on headers only; throw GatewayError('invalid_api_key') to refuse. undefined = anonymous, all models. */
  authenticate?: Authenticate
  /** admission: run for every proxied request after the model check (limits, budgets); forModel: rules, compiled per model. */
  guards?: { admission?: readonly Guard[]; forModel?: (m: ModelPlan) => readonly Guard[] }
  /** Wrap each provider client (queue, breaker). A wrapper may implement isAvailable() so routing skips it. */
  wrapProvider?: (client: ProviderClient, p: ProviderSpec) => ProviderClient
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
  /** More request headers to copy into Exchange.headers (rules, experiments, tracing read them). */
  headerNames?: readonly string[]
  /** Client request headers forwarded to every upstream attempt (tests: x-mock-fail, x-mock-latency). */
  forwardHeaders?: readonly string[]
  /** Internal errors (bugs) with their request, for the log. */
  onError?: (err: unknown, ex: Exchange) => void
  /**
   * Runtime state kept by the app across reloads (SPEC §6), by identity: response caches and experiment rollback
   * state here (breakers through wrapProvider). Unchanged entities carry on; absent: everything starts fresh.
   */
  registry?: Registry
  /** An experiment's canary was rolled back (for the log). */
  onRollback?: RollbackNotice
  /** Trace propagation and export (observe/tracing.ts); absent = no tracing code on the request path. */
  tracer?: Tracer
  /** /admin/config's `running` (compile/admin.ts): flag overrides and start-only settings waiting for a restart. */
  running?: () => unknown
}

/** The Gateway plus what the app, tests and the profiler read of it. */
export interface CompiledGateway extends Gateway {
  readonly plan: Plan
  readonly models: ModelTable
  readonly profile: StageProfile | undefined
  /** Proxied requests running on this Gateway now. */
  readonly inflight: number
}

const WS_NEEDS_UPGRADE = new GatewayError('invalid_request', 'GET /v1/ws needs a WebSocket upgrade ("Connection: Upgrade", "Upgrade: websocket"); for plain HTTP use POST /v1/chat/completions').body()
const BASE_HEADERS = ['authorization', 'x-api-key', 'traceparent', 'tracestate']

export function compileGateway(spec: Spec, deps: CompileDeps = {}): CompiledGateway {
  const plan = compilePlan(spec)
  const version = deps.version ?? specVersion(spec)
  const pool = deps.providerPool ?? createProviderPool()
  const create = deps.createProvider ?? createProviderClient
  // Rules read files (wordsFile): compile them before any pool is acquired, so a failure here leaks nothing.
  const rules = new Map(plan.models.map((m) => [m, compileModelRules(spec, m)]))
  const acquired: string[] = []
  const providers = new Map<string, ProviderHandle>()
  try {
    for (const p of plan.providers) {
      let client = pool.acquire(p.identity, () => create(p.config))
      acquired.push(p.identity)
      if (deps.wrapProvider) client = deps.wrapProvider(client, p.spec)
      // Outside the queue and breaker: one batched upstream call takes one slot.
      const batching = spec.batching.embeddings
      if (batching) client = wrapBatching(client, { maxBatch: batching.maxBatch, maxWaitMs: batching.maxWait })
      providers.set(p.name, { client, timeoutMs: p.config.timeoutMs })
    }
  } catch (e) {
    for (const id of acquired) void pool.release(id)
    throw e
  }
  const extraGuards = deps.guards?.forModel ?? (() => [])
  const table = compileModelTable(plan.models, providers, (m) => [...rules.get(m)!.guards, ...extraGuards(m)])
  const registry = deps.registry ?? createRegistry()
  for (const m of table.models) {
    m.response = rules.get(m.plan)!.response
    const c = m.plan.spec.cache
    if (c === undefined) continue
    // Same name, ttl and targets -> same store: entries survive reloads that leave this model's answers alone, and
    // a model pointed at other upstream models starts empty (an old answer is not theirs).
    const id = formatIdentity(`cache:${m.name}`, { ttl: c.ttl, targets: m.plan.targets.map((t) => [t.provider, t.model]) })
    const store = registry.keep(id, () => deps.createCache?.(id) ?? createMemoryCache())
    m.cache = { ttlMs: c.ttl, store }
  }
  attachExperiments(spec.experiments, table, providers, { registry, ...(deps.onRollback ? { onRollback: deps.onRollback } : {}) })
  const profile = deps.profileStages || isStageProfilingRequested() ? createStageProfile() : undefined
  const admission = deps.guards?.admission ?? []
  if (admission.length > 0 || table.models.some((m) => m.guards.length > 0)) void preloadTokenizer()

  const tracker: InflightTracker = { n: 0, onIdle: undefined }
  const endpointDeps: EndpointDeps = {
    table,
    authenticate: deps.authenticate,
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
  const createdSec = Math.floor(Date.now() / 1000)
  const proxied: RouteTable = {
    '/v1/chat/completions': { POST: chat },
    '/v1/completions': { POST: compileEndpoint('completions', endpointDeps) },
    '/v1/embeddings': { POST: compileEndpoint('embeddings', endpointDeps) },
    '/v1/messages': { POST: compileEndpoint('messages', endpointDeps) },
    '/v1/models': { GET: compileModelsList(table.names, deps.authenticate, createdSec) },
    '/v1/models/*': { GET: compileModelRetrieve(table.names, (id) => table.resolve(id) !== undefined, deps.authenticate, createdSec) },
    // A plain GET reaches here only without an Upgrade header (the server answers upgrades itself): say what is needed (QA F11).
    '/v1/ws': { GET: { hasBody: false, handle: (_ex, sink) => sink.send(400, JSON_HEADERS, WS_NEEDS_UPGRADE) } },
  }
  const admin = compileAdminRoutes({
    version,
    spec: () => redactSpec(spec),
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
    version,
    maxBodyBytes: plan.server.maxBodyBytes,
    headerNames: [
      ...new Set(
        [
          ...BASE_HEADERS,
          ...(table.models.some((m) => m.cache) ? ['cache-control'] : []),
          ...ruleHeaderNames(spec),
          ...spec.experiments.flatMap((e) => experimentHeaderNames({ name: e.name, stickyBy: e.stickyBy, variants: [] })),
          ...(deps.headerNames ?? []),
          ...(deps.forwardHeaders ?? []),
        ].map((h) => h.toLowerCase()),
      ),
    ],
    main: compileRouter(hasAdminPort ? { ...proxied, ...probes } : { ...proxied, ...admin }),
    admin: hasAdminPort ? compileRouter(admin) : null,
    ws: chat,
    plan,
    models: table,
    profile,
    get inflight() {
      return tracker.n
    },
    retire() {
      return (retired ??= (async () => {
        if (tracker.n > 0) await new Promise<void>((resolve) => (tracker.onIdle = resolve))
        await Promise.all(acquired.map((id) => pool.release(id)))
      })())
    },
  }
}
