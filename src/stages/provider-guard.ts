/** A provider client wrapped in its circuit breaker and in-flight queue (SPEC §3 providers[].maxInFlight/queue/breaker). */
import type { ProviderClient } from '../core/provider.js'
import { GatewayError } from '../core/errors.js'
import { isPromise } from '../core/sync.js'
import type { Registry } from '../state/registry.js'
import type { ProviderGuardConfig } from './access-config.js'
import { createBreaker, NORMAL, REFUSED, type Breaker, type BreakerState, type Outcome, type Pass } from './breaker.js'
import { createInflightLimiter } from './queue.js'

/*
 * Own code rather than cockatiel or opossum. opossum wraps every call in its own promise, timer and EventEmitter
 * events (and expresses the window as percentages over rolling stat objects); cockatiel's SamplingBreaker wants a
 * minimum rps instead of minRequests and its half-open state admits exactly one probe, and its bulkhead allocates a
 * promise per call even when a slot is free. Here an uncontended call costs two counter checks and no allocation
 * beyond the provider's own promise, and the semantics are exactly SPEC §3's.
 */
export interface GuardedProvider extends ProviderClient {
  state(): { breaker: BreakerState; queueDepth: number; inflight: number }
  /** False while the breaker is open: routing strategies skip this target (compile/target.ts). */
  isAvailable(): boolean
}

export interface ProviderGuardDeps {
  clock?: () => number
  /** Keeps the breaker across reloads when the provider's configuration did not change (SPEC §6). */
  registry?: Registry
  /** Identity of this provider's configuration (compile/identity.ts); defaults to name + breaker settings. */
  identity?: string
  /** Each breaker transition, as it happens (the metric reads state() at scrape time instead: observe/metrics.ts). */
  onBreakerState?: (s: BreakerState) => void
}

export function wrapProvider(client: ProviderClient, cfg: ProviderGuardConfig, deps: ProviderGuardDeps = {}): GuardedProvider {
  // Kept across reloads like the breaker, by its own settings: a new limiter per reload forgot the requests in flight,
  // so every reload (even of an identical spec) let up to maxInFlight more reach the provider.
  const makeQueue = () => createInflightLimiter(client.name, cfg.maxInFlight, cfg.queue.size, cfg.queue.timeoutMs)
  const queueId = `queue:${client.name}:${cfg.maxInFlight}:${cfg.queue.size}:${cfg.queue.timeoutMs}`
  const q = deps.registry ? deps.registry.keep(queueId, makeQueue) : makeQueue()
  const bcfg = cfg.breaker
  const make = (): Breaker | null => (bcfg ? createBreaker(bcfg, deps.clock, deps.onBreakerState) : null)
  const identity = deps.identity ?? `${client.name}:${JSON.stringify(bcfg ?? null)}`
  const breaker = deps.registry ? deps.registry.keep(`breaker:${identity}`, make) : make()
  const openMessage = `provider ${client.name}: circuit breaker open`

  return {
    name: client.name,
    type: client.type,
    ...(client.speaks ? { speaks: client.speaks.bind(client) } : {}),
    close: () => client.close(),
    isAvailable: () => breaker === null || breaker.state() !== 'open',
    state: () => ({ breaker: breaker ? breaker.state() : 'closed', queueDepth: q.depth, inflight: q.inflight }),
    async call(req, sink) {
      const pass: Pass = breaker ? breaker.tryPass() : NORMAL
      // retryClass 'connect': nothing was sent, so retries and fallbacks may move on to another target at once.
      if (pass === REFUSED) throw new GatewayError('upstream_unavailable', openMessage, { retryClass: 'connect' })
      try {
        const slot = q.acquire(req.signal)
        if (isPromise(slot)) await slot
      } catch (e) {
        breaker?.record(pass, 'neutral')
        throw e
      }
      try {
        const result = await client.call(req, sink)
        breaker?.record(pass, 'success')
        return result
      } catch (e) {
        breaker?.record(pass, req.signal.aborted ? 'neutral' : outcomeOf(e))
        throw e
      } finally {
        q.release()
      }
    },
  }
}

/** Upstream trouble counts against the breaker; an upstream that answers 4xx is healthy. */
export function outcomeOf(e: unknown): Outcome {
  if (!(e instanceof GatewayError)) return 'failure'
  const cls = e.extra.retryClass
  if (cls === 'timeout' || cls === 'connect') return 'failure'
  const status = e.extra.upstreamStatus
  if (status !== undefined) return status >= 500 ? 'failure' : 'success'
  return e.code === 'upstream_error' || e.code === 'upstream_timeout' ? 'failure' : 'neutral'
}
