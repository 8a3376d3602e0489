/** Spec -> Plan (STYLE §2.1): plain data with references resolved, fallback chains expanded, units in names (SPEC §3). */
import { isGlob } from '../core/glob.js'
import type { Secret } from '../core/secret.js'
import type { ProviderConfig } from '../providers/config.js'
import type { ModelSpec, ProviderSpec, Spec } from '../spec/schema.js'
import { formatIdentity } from './identity.js'

export interface ProviderPlan {
  readonly name: string
  /** name + hash of the whole provider config: equal identity -> the client (pool) is reused across reloads. */
  readonly identity: string
  readonly config: ProviderConfig
  /** The spec entry, for hooks that read provider settings compile/ does not (maxInFlight, queue, breaker). */
  readonly spec: ProviderSpec
}

export interface TargetPlan {
  readonly provider: string
  /** The upstream model; '*' on a glob model means "the model name the client sent". */
  readonly model: string
  readonly weight: number
}

export interface RetryPlan {
  /** Total attempts on this model's targets (1 = no retry). */
  readonly attempts: number
  readonly backoffMs: number
  readonly statuses: readonly number[]
  readonly on5xx: boolean
  readonly on4xx: boolean
  readonly onTimeout: boolean
  readonly onConnect: boolean
}

export interface ModelPlan {
  readonly name: string
  readonly isGlob: boolean
  readonly targets: readonly TargetPlan[]
  readonly strategy: 'weighted' | 'least-inflight' | 'priority'
  readonly retry: RetryPlan
  /** This model, then its fallbacks depth-first, each public model at most once (cycle-safe). */
  readonly chain: readonly string[]
  /** Per-attempt cap; undefined = the provider's timeout alone. */
  readonly timeoutMs: number | undefined
  /** USD per 1M tokens. */
  readonly pricing: { readonly input: number; readonly output: number } | undefined
  readonly spec: ModelSpec
}

export interface Plan {
  readonly server: {
    host: string
    port: number
    maxBodyBytes: number
    requestTimeoutMs: number
    workers: number
    shutdownGraceMs: number
    sseKeepaliveMs: number
  }
  readonly admin: { port: number | undefined; token: Secret | undefined }
  readonly providers: readonly ProviderPlan[]
  readonly models: readonly ModelPlan[]
}

const NO_RETRY: RetryPlan = { attempts: 1, backoffMs: 0, statuses: [], on5xx: false, on4xx: false, onTimeout: false, onConnect: false }

export function compilePlan(spec: Spec): Plan {
  const providers = spec.providers.map(planProvider)
  const byName = new Map(spec.models.map((m) => [m.name, m]))
  const models = spec.models.map((m) => planModel(m, byName))
  const s = spec.server
  return {
    server: {
      host: s.host,
      port: s.port,
      maxBodyBytes: s.maxBodySize,
      requestTimeoutMs: s.requestTimeout,
      workers: s.workers,
      shutdownGraceMs: s.shutdownGrace,
      sseKeepaliveMs: s.sseKeepalive,
    },
    admin: { port: spec.admin.port, token: spec.admin.token },
    providers,
    models,
  }
}

function planProvider(p: ProviderSpec): ProviderPlan {
  const config: ProviderConfig = {
    name: p.name,
    type: p.type,
    baseUrl: p.baseUrl ?? '',
    apiKey: p.apiKey,
    headers: p.headers,
    timeoutMs: p.timeout,
    connections: p.connections,
    ...(p.type === 'azure-openai' ? { apiVersion: p.apiVersion } : {}),
    ...(p.mock ? { mock: { latencyMs: p.mock.latency, tokensPerSecond: p.mock.tokensPerSecond, failRate: p.mock.failRate } } : {}),
  }
  return { name: p.name, identity: formatIdentity(p.name, config), config, spec: p }
}

function planModel(m: ModelSpec, byName: ReadonlyMap<string, ModelSpec>): ModelPlan {
  const r = m.retry
  const retry: RetryPlan = r
    ? {
        attempts: r.attempts,
        backoffMs: r.backoff,
        statuses: r.on.filter((o): o is number => typeof o === 'number'),
        on5xx: r.on.includes('5xx'),
        on4xx: r.on.includes('4xx'),
        onTimeout: r.on.includes('timeout'),
        onConnect: r.on.includes('connect'),
      }
    : NO_RETRY
  return {
    name: m.name,
    isGlob: isGlob(m.name),
    targets: m.targets.map((t) => ({ provider: t.provider, model: t.model, weight: t.weight })),
    strategy: m.strategy,
    retry,
    chain: expandChain(m.name, byName),
    timeoutMs: m.timeout,
    pricing: m.pricing,
    spec: m,
  }
}

/** Depth-first over `fallback`, skipping names already in the chain (cycles) and names that are no model (lint reports those). */
function expandChain(start: string, byName: ReadonlyMap<string, ModelSpec>): string[] {
  const chain: string[] = []
  const visit = (name: string): void => {
    const m = byName.get(name)
    if (!m || chain.includes(name)) return
    chain.push(name)
    for (const f of m.fallback) visit(f)
  }
  visit(start)
  return chain
}
