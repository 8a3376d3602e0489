/** Provider registry (SPEC §3 providers[].type): one line per type; adding a provider is one file plus one line here. */
import { createAnthropicClient } from './anthropic.js'
import { createAzureOpenAIClient } from './azure-openai.js'
import type { ProviderConfig } from './config.js'
import { createGraphqlClient } from './graphql.js'
import { createGrpcClient } from './grpc.js'
import { createMockClient } from './mock.js'
import { createOpenAIClient } from './openai.js'
import type { ProviderClient, ProviderType } from './types.js'

export type { ProviderConfig } from './config.js'

const PROVIDERS = {
  openai: createOpenAIClient,
  'azure-openai': createAzureOpenAIClient,
  anthropic: createAnthropicClient,
  mock: createMockClient,
  grpc: createGrpcClient,
  graphql: createGraphqlClient,
} satisfies Record<ProviderType, (cfg: ProviderConfig) => ProviderClient>

/** Builds a provider client at compile time: pool, base URL, auth header and paths joined once. */
export function createProviderClient(cfg: ProviderConfig): ProviderClient {
  const create = PROVIDERS[cfg.type]
  if (!create) throw new Error(`unknown provider type '${String(cfg.type)}' for provider '${cfg.name}'`)
  return create(cfg)
}
