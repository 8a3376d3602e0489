/** `type: azure-openai` (SPEC §3 providers): deployment URLs with `api-version`, `api-key` header, OpenAI wire otherwise. */
import type { ProviderConfig } from './config.js'
import { createOpenAICompatibleClient, type OpenAIEndpoint } from './openai-compatible.js'
import type { ProviderClient } from './types.js'

/** The api-version used when the spec names none (GA version with stream_options.include_usage). */
export const DEFAULT_AZURE_API_VERSION = '2024-10-21'

const SUFFIX: Record<Exclude<OpenAIEndpoint, 'responses'>, string> = { chat: '/chat/completions', completions: '/completions', embeddings: '/embeddings' }

/** `{baseUrl}/openai/deployments/{model}/chat/completions?api-version={apiVersion}`: the target's model is the deployment. */
export function createAzureOpenAIClient(cfg: ProviderConfig): ProviderClient {
  const prefix = `${new URL(cfg.baseUrl).pathname.replace(/\/+$/, '')}/openai/deployments/`
  const query = `?api-version=${encodeURIComponent(cfg.apiVersion ?? DEFAULT_AZURE_API_VERSION)}`
  const key = cfg.apiKey && !cfg.apiKey.isEmpty ? cfg.apiKey.reveal() : undefined
  // The Responses API has no deployment path: Azure's v1 route names the deployment in the body's `model`.
  const root = new URL(cfg.baseUrl).pathname.replace(/\/+$/, '').replace(/\/openai(\/deployments(\/[^/]+)?)?$/, '')
  const responses = `${root}/openai/v1/responses`
  const path = (ep: OpenAIEndpoint, model: string): string =>
    ep === 'responses' ? responses : `${prefix}${encodeURIComponent(model)}${SUFFIX[ep]}${query}`
  return createOpenAICompatibleClient(cfg, path, key ? { 'api-key': key } : {}, cfg.responses !== 'chat')
}
