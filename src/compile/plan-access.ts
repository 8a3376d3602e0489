/** Plan slices for providers and access (SPEC §3 providers[], keys, auth, limits): client config, guard config, identities. */
import type { ProviderConfig } from '../providers/config.js'
import type { KeySpec, ProviderSpec, Spec } from '../spec/schema.js'
import type { KeyConfig, ProviderGuardConfig } from '../stages/access-config.js'
import { formatIdentity } from './identity.js'
import type { AccessPlan, JwtPlan, ProviderPlan } from './plan.js'

export function planProvider(p: ProviderSpec): ProviderPlan {
  const config: ProviderConfig = {
    name: p.name,
    type: p.type,
    baseUrl: p.baseUrl ?? '',
    apiKey: p.apiKey,
    ...(p.apiKeys ? { apiKeys: [...p.apiKeys] } : {}),
    ...(p.apiKeyFile ? { apiKeyFile: p.apiKeyFile } : {}),
    ...(p.apiKeys || p.apiKeyFile ? { keyStrategy: p.keyStrategy } : {}),
    headers: { ...p.headers },
    timeoutMs: p.timeout,
    connections: p.connections,
    ...(p.type === 'azure-openai' ? { apiVersion: p.apiVersion } : {}),
    ...(p.mock ? { mock: { latencyMs: p.mock.latency, tokensPerSecond: p.mock.tokensPerSecond, failRate: p.mock.failRate } } : {}),
    // Plain data (strings, numbers, nested maps): a deep copy, so the Plan shares no object with the Spec.
    ...(p.grpc ? { grpc: structuredClone(p.grpc) } : {}),
    ...(p.graphql ? { graphql: structuredClone(p.graphql) } : {}),
  }
  const guard: ProviderGuardConfig = {
    maxInFlight: p.maxInFlight,
    queue: { size: p.queue.size, timeoutMs: p.queue.timeout },
    ...(p.breaker
      ? { breaker: { failureRate: p.breaker.failureRate, minRequests: p.breaker.minRequests, windowMs: p.breaker.window, cooldownMs: p.breaker.cooldown, halfOpenProbes: p.breaker.halfOpenProbes } }
      : {}),
  }
  return { name: p.name, identity: formatIdentity(p.name, config), config, guard, guardIdentity: formatIdentity(`guard:${p.name}`, guard) }
}

export function planAccess(spec: Spec): AccessPlan {
  const jwt = spec.auth.jwt
  const l = spec.limits
  return {
    keys: spec.keys.map(planKey),
    auth: {
      required: spec.auth.required,
      ...(jwt
        ? {
            jwt: {
              ...(jwt.issuer ? { issuer: jwt.issuer } : {}),
              ...(jwt.audience ? { audience: typeof jwt.audience === 'string' ? jwt.audience : [...jwt.audience] } : {}),
              ...(jwt.jwksUrl ? { jwksUrl: jwt.jwksUrl } : {}),
              ...(jwt.secret ? { secret: jwt.secret } : {}),
              // Paths are absolute after load; compileGateway reads the file once, never per request.
              ...(jwt.publicKey ? { publicKey: jwt.publicKey } : jwt.publicKeyFile ? { publicKeyFile: jwt.publicKeyFile } : {}),
              keyClaim: jwt.keyClaim,
              clockToleranceMs: jwt.clockTolerance,
            } satisfies JwtPlan,
          }
        : {}),
    },
    limits: {
      ...(l.perIp ? { perIp: { ...l.perIp } } : {}),
      ...(l.global ? { global: { ...l.global } } : {}),
    },
  }
}

/** A copy, field by field: the Plan shares no object with the Spec. */
function planKey(k: KeySpec): KeyConfig {
  return {
    id: k.id,
    ...(k.key ? { key: k.key } : {}),
    ...(k.hash ? { hash: k.hash } : {}),
    ...(k.models ? { models: [...k.models] } : {}),
    ...(k.limits ? { limits: { ...k.limits } } : {}),
    ...(k.budget ? { budget: { ...k.budget } } : {}),
    ...(k.expires ? { expires: k.expires } : {}),
    metadata: { ...k.metadata },
  }
}
