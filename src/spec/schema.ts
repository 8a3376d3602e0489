/** THE spec schema (SPEC §3): the single source of truth for validation, defaults, types and the JSON Schema. */
import { z } from 'zod'
import { degradeSettings } from './degrade.js'
import { graphqlSettings, grpcSettings, refineProtocols } from './protocols.js'
import { count, duration, globs, instant, name, optionalSecret, port, secret, size } from './units.js'
import { state } from './state-schema.js'
import type { Secret } from '../core/secret.js'

const PROVIDER_TYPES = ['openai', 'azure-openai', 'anthropic', 'mock', 'grpc', 'graphql'] as const
/** Where a provider type points when `baseUrl` is omitted; azure-openai has no public default. */
export const DEFAULT_BASE_URL: Readonly<Record<string, string>> = {
  openai: 'https://api.openai.com/v1',
  anthropic: 'https://api.anthropic.com',
}

const server = z
  .strictObject({
    host: z.string().min(1).default('127.0.0.1'),
    port: port.prefault(8080),
    maxBodySize: size.prefault('4mb'),
    requestTimeout: duration.prefault('120s'),
    workers: count.default(1),
    shutdownGrace: duration.prefault('10s'),
    sseKeepalive: duration.prefault('15s').meta({ description: 'SSE comment interval while a stream waits; 0 = off' }),
  })
  .prefault({})

const admin = z
  .strictObject({
    port: port.optional().meta({ description: 'omit to serve admin paths on the main port' }),
    token: optionalSecret,
  })
  .prefault({})

const queue = z.strictObject({ size: z.number().int().nonnegative().default(1024), timeout: duration.prefault('2s') })
const breaker = z.strictObject({
  failureRate: z.number().gt(0).max(1).default(0.5),
  minRequests: count.default(20),
  window: duration.prefault('10s'),
  cooldown: duration.prefault('30s'),
  halfOpenProbes: count.default(3),
})
const mock = z.strictObject({
  latency: duration.prefault('0ms'),
  tokensPerSecond: z.number().nonnegative().default(0).meta({ description: '0 = as fast as possible' }),
  failRate: z.number().min(0).max(1).default(0),
})

const provider = z
  .strictObject({
    name,
    type: z.enum(PROVIDER_TYPES),
    baseUrl: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }).optional(),
    apiKey: optionalSecret,
    apiKeys: z.array(secret).min(1, { error: 'needs at least one key' }).optional().meta({ description: 'a pool of upstream API keys (each ${env:NAME}); a key answered 401/429 is benched and the next one used' }),
    apiKeyFile: z.string().min(1).optional().meta({ description: 'upstream API keys, one per line, relative to the spec file; re-read when it changes (Kubernetes secret mounts)' }),
    keyStrategy: z.enum(['round-robin', 'least-rate-limited']).default('round-robin').meta({ description: 'how apiKeys / apiKeyFile keys are picked' }),
    apiVersion: z.string().min(1).default('2024-10-21').meta({ description: 'azure-openai api-version query parameter' }),
    headers: z.record(z.string(), z.string()).default({}),
    timeout: duration.prefault('60s'),
    connections: count.default(128),
    maxInFlight: count.default(256),
    queue: queue.prefault({}),
    breaker: breaker.optional(),
    mock: mock.optional(),
    grpc: grpcSettings.optional().meta({ description: 'type: grpc (preset or generic proto + mapping)' }),
    graphql: graphqlSettings.optional().meta({ description: 'type: graphql (document + mapping)' }),
  })
  .superRefine((p, ctx) => {
    refineProtocols(p, ctx)
    refineKeys(p, ctx)
    if (p.type === 'azure-openai' && !p.baseUrl)
      ctx.addIssue({ code: 'custom', path: ['baseUrl'], message: 'azure-openai needs baseUrl (https://<resource>.openai.azure.com/openai/deployments)' })
    if (p.type !== 'mock' && p.mock) ctx.addIssue({ code: 'custom', path: ['mock'], message: `mock settings apply only to type: mock, not ${p.type}` })
  })
  .transform((p) => ({
    ...p,
    baseUrl: p.baseUrl ?? DEFAULT_BASE_URL[p.type],
    mock: p.type === 'mock' ? (p.mock ?? { latency: 0, tokensPerSecond: 0, failRate: 0 }) : undefined,
  }))

/** At most one key source; no empty key in a pool (an empty entry is a missing variable, not "no key"). */
function refineKeys(p: { apiKey?: unknown; apiKeys?: readonly Secret[] | undefined; apiKeyFile?: string | undefined }, ctx: z.RefinementCtx): void {
  const given = (['apiKey', 'apiKeys', 'apiKeyFile'] as const).filter((f) => p[f] !== undefined)
  if (given.length > 1) ctx.addIssue({ code: 'custom', path: [given[1]!], message: `give one of apiKey, apiKeys, apiKeyFile, not ${given.join(' and ')}` })
  p.apiKeys?.forEach((k, i) => {
    if (k.isEmpty) ctx.addIssue({ code: 'custom', path: ['apiKeys', i], message: 'key is empty: set its variable or remove the entry' })
  })
}

const target = z.strictObject({
  provider: name,
  model: name.meta({ description: "the upstream's model name" }),
  weight: z.number().default(1),
})

const RETRY_ON = z.union([z.number().int().min(100).max(599), z.enum(['5xx', '4xx', 'timeout', 'connect'])])
const retry = z.strictObject({
  attempts: z.number().int().min(1).default(2),
  backoff: duration.prefault('100ms'),
  on: z.array(RETRY_ON).default([429, '5xx', 'timeout', 'connect']).meta({
    description: 'failures retried: status codes, 4xx, 5xx, timeout, connect. Quote the key ("on": [...]): YAML 1.1 parsers (PyYAML) read a bare on: as the boolean true',
  }),
})

const model = z.strictObject({
  name: name.meta({ description: 'the public model name clients send' }),
  targets: z.array(target).min(1, { error: 'needs at least one target' }),
  strategy: z.enum(['weighted', 'least-inflight', 'priority']).default('weighted'),
  retry: retry.optional(),
  fallback: z.array(name).default([]),
  timeout: duration.optional(),
  cache: z.strictObject({ ttl: duration }).optional(),
  context: z
    .strictObject({ maxInputTokens: count, strategy: z.enum(['drop-oldest']).default('drop-oldest') })
    .optional(),
  pricing: z
    .strictObject({ input: z.number().nonnegative(), output: z.number().nonnegative() })
    .optional()
    .meta({ description: 'USD per 1M tokens' }),
  degrade: degradeSettings.optional(),
})

const key = z
  .strictObject({
    id: name,
    key: secret.optional(),
    hash: z.string().regex(/^sha256:[0-9a-f]{64}$/, { error: 'expected sha256:<64 hex digits> (llmgw keys hash KEY)' }).optional(),
    models: globs.optional().meta({ description: 'globs; absent = all models' }),
    limits: z
      .strictObject({ rpm: count.optional(), tpm: count.optional(), concurrency: count.optional() })
      .optional(),
    budget: z.strictObject({ usd: z.number().positive(), per: z.enum(['day', 'month', 'total']).default('total') }).optional(),
    expires: instant.optional(),
    metadata: z.record(z.string(), z.string()).default({}),
  })
  .superRefine((k, ctx) => {
    if (k.key === undefined && k.hash === undefined) ctx.addIssue({ code: 'custom', message: 'needs key or hash' })
    if (k.key !== undefined && k.hash !== undefined) ctx.addIssue({ code: 'custom', path: ['hash'], message: 'give key or hash, not both' })
    if (k.key !== undefined && k.key.isEmpty) ctx.addIssue({ code: 'custom', path: ['key'], message: 'key is empty' })
  })

const jwt = z
  .strictObject({
    issuer: z.string().min(1).optional(),
    audience: z.union([z.string().min(1), z.array(z.string().min(1))]).optional(),
    jwksUrl: z.url({ protocol: /^https?$/ }).optional(),
    secret: secret.optional().meta({ description: 'HS256 shared secret' }),
    publicKey: z.string().min(1).optional().meta({ description: 'PEM public key' }),
    publicKeyFile: z.string().min(1).optional().meta({ description: 'PEM public key file, relative to the spec file' }),
    keyClaim: z.string().min(1).default('sub'),
    clockTolerance: duration.prefault('30s'),
  })
  .superRefine((j, ctx) => {
    const given = [j.jwksUrl, j.secret, j.publicKey, j.publicKeyFile].filter((v) => v !== undefined).length
    if (given !== 1) ctx.addIssue({ code: 'custom', message: 'give exactly one of jwksUrl, secret, publicKey, publicKeyFile' })
  })

const auth = z.strictObject({
  required: z.boolean().optional().meta({ description: 'default: true when keys or jwt are configured' }),
  jwt: jwt.optional(),
})

const limits = z
  .strictObject({
    perIp: z.strictObject({ rpm: count.optional(), tpm: count.optional(), concurrency: count.optional() }).optional(),
    global: z.strictObject({ rps: count.optional(), concurrency: count.optional() }).optional(),
  })
  .prefault({})

const rule = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('content-filter'),
    words: z.array(z.string().min(1)).optional(),
    wordsFile: z.string().min(1).optional().meta({ description: 'one word per line, relative to the spec file' }),
    action: z.enum(['block', 'mask']).default('block'),
    scope: z.array(z.enum(['request', 'response'])).min(1).default(['request']),
    models: globs.optional(),
  }),
  z.strictObject({
    type: z.literal('system-prompt'),
    text: z.string(),
    mode: z.enum(['prepend', 'replace']).default('prepend'),
    models: globs.optional(),
  }),
  z.strictObject({
    type: z.literal('deny'),
    when: z.strictObject({
      model: z.string().min(1).optional(),
      header: z.record(z.string(), z.string()).optional(),
      key: z.string().min(1).optional(),
      ip: z.string().min(1).optional(),
    }),
    message: z.string().default('request denied by policy'),
  }),
  z.strictObject({
    type: z.literal('plugin'),
    module: z
      .string()
      .regex(/\.(mjs|js|cjs|ts)$/, { error: 'expected a .mjs, .js, .cjs or .ts file' })
      .meta({ description: 'a JS module exporting the hooks (llmgw/plugin), relative to the spec file' }),
    name: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, { error: 'expected letters, digits, . _ - (at most 64)' }).optional().meta({ description: "default: the plugin's own name, else the file name" }),
    options: z.record(z.string(), z.unknown()).default({}).meta({ description: "passed to the module's setup function" }),
    models: globs.optional(),
  }),
])

const experiment = z.strictObject({
  name,
  model: name,
  stickyBy: z
    .string()
    .regex(/^(header:[A-Za-z0-9!#$%&'*+.^_`|~-]+|key|ip)$/, { error: 'expected header:NAME, key or ip' })
    .default('key'),
  variants: z
    .array(
      z.strictObject({
        name,
        weight: z.number(),
        target: z.strictObject({ provider: name, model: name }).optional().meta({ description: "absent = the model's own targets" }),
      }),
    )
    .min(1, { error: 'needs at least one variant' }),
  rollback: z
    .strictObject({
      maxErrorRate: z.number().min(0).max(1).optional(),
      maxP95: duration.optional(),
      minRequests: count.default(50),
      window: duration.prefault('1m'),
    })
    .optional(),
})

const batching = z
  .strictObject({
    embeddings: z.strictObject({ maxBatch: count.default(64), maxWait: duration.prefault('5ms') }).optional(),
  })
  .prefault({})

const observability = z
  .strictObject({
    accessLog: z
      .strictObject({
        format: z.enum(['json', 'pretty', 'off']).default('json'),
        destination: z.string().min(1).default('stdout').meta({ description: 'stdout | stderr | a file path' }),
      })
      .prefault({}),
    metrics: z.boolean().default(true),
    tracing: z
      .strictObject({
        otlpEndpoint: z.url({ protocol: /^https?$/ }),
        sampleRatio: z.number().min(0).max(1).default(1),
        serviceName: z.string().min(1).default('llmgw'),
        headers: z.record(z.string(), z.string()).default({}),
      })
      .optional(),
  })
  .prefault({})

/** The spec object before the one cross-field default (auth.required) is applied. */
const specObject = z.strictObject({
  $schema: z.string().optional().meta({ description: 'JSON Schema reference for editors; ignored' }),
  version: z.literal(1),
  server,
  admin,
  providers: z.array(provider).min(1, { error: 'needs at least one provider' }),
  models: z.array(model).min(1, { error: 'needs at least one model' }),
  keys: z.array(key).default([]),
  auth: auth.prefault({}),
  limits,
  rules: z.array(rule).default([]),
  experiments: z.array(experiment).default([]),
  batching,
  state,
  observability,
})

export const specSchema = specObject.transform((s) => ({
  ...s,
  // Auth is on exactly when there is something to authenticate against; the embedded default has neither.
  auth: { ...s.auth, required: s.auth.required ?? (s.keys.length > 0 || s.auth.jwt !== undefined) },
}))

export type Spec = z.output<typeof specSchema>
export type SpecInput = z.input<typeof specSchema>
export type ServerSpec = Spec['server']
export type AdminSpec = Spec['admin']
export type ProviderSpec = Spec['providers'][number]
export type ProviderType = ProviderSpec['type']
export type ModelSpec = Spec['models'][number]
export type TargetSpec = ModelSpec['targets'][number]
export type RetrySpec = NonNullable<ModelSpec['retry']>
export type KeySpec = Spec['keys'][number]
export type AuthSpec = Spec['auth']
export type JwtSpec = NonNullable<AuthSpec['jwt']>
export type LimitsSpec = Spec['limits']
export type RuleSpec = Spec['rules'][number]
export type ExperimentSpec = Spec['experiments'][number]
export type BatchingSpec = Spec['batching']
export type StateSpec = Spec['state']
export type ObservabilitySpec = Spec['observability']
export { PROVIDER_TYPES }
