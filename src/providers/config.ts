/** The plain, compile-time input of one provider client (SPEC §3 providers[]), independent of the spec module. */
import type { GraphqlSettings, GrpcSettings } from '../spec/protocols.js'
import type { Secret } from '../core/secret.js'
import type { MockSettings } from '../wire/mock-controls.js'
import type { ProviderType } from './types.js'

/** providers[].keyStrategy: take turns, or prefer the key that was rate-limited least lately. */
export type KeyStrategy = 'round-robin' | 'least-rate-limited'

export interface ProviderConfig {
  name: string
  type: ProviderType
  /** e.g. https://api.openai.com/v1 (openai), https://x.openai.azure.com (azure-openai), https://api.anthropic.com (anthropic). Ignored by mock. */
  baseUrl: string
  apiKey: Secret | undefined
  /** A key pool (apiKeys, or apiKeyFile once read by compile/): calls go through providers/key-pool.ts, one client per key. */
  apiKeys?: readonly Secret[]
  /** The key file (absolute) named by the spec; compileGateway reads it into apiKeys. */
  apiKeyFile?: string
  keyStrategy?: KeyStrategy
  /** Extra static headers sent upstream (their values are scrubbed from upstream error messages like the key). */
  headers: Readonly<Record<string, string>>
  /** Per upstream attempt, unless the call asks for less. */
  timeoutMs: number
  /** undici Pool size for this provider's origin. */
  connections: number
  /** azure-openai: the api-version query parameter. */
  apiVersion?: string
  mock?: MockSettings
  /** type: grpc / graphql (issue 12): the protocol settings as validated, file paths absolute. */
  grpc?: GrpcSettings
  graphql?: GraphqlSettings
  /** openai / azure-openai: relay /v1/responses natively, or translate it to chat; absent: by provider (openai.ts). */
  responses?: 'native' | 'chat'
}
