/** `type: azure-openai` (SPEC §3 providers): deployment URLs with `api-version`, `api-key` header, OpenAI wire otherwise. */
import type { ProviderConfig } from './config.js'
import { createOpenAICompatibleClient, type OpenAIEndpoint } from './openai-compatible.js'
import type { ProviderClient } from './types.js'

/** The api-version used when the spec names none (GA version with stream_options.include_usage). */
export const DEFAULT_AZURE_API_VERSION = '2024-10-21'

const SUFFIX: Record<Exclude<OpenAIEndpoint, 'responses'>, string> = { chat: '/chat/completions', completions: '/completions', embeddings: '/embeddings' }

/**
 * `{baseUrl}/openai/deployments/{model}/chat/completions?api-version={apiVersion}`: the target's model is the deployment.
 * A baseUrl that already names the deployment (`…/openai/deployments/dep1`) is used as it is (that deployment answers every
 * model routed here); one that ends in `/openai/deployments` or `/openai` gets only the missing part.
 */
export function createAzureOpenAIClient(cfg: ProviderConfig): ProviderClient {
  const base = new URL(cfg.baseUrl).pathname.replace(/\/+$/, '')
  const pinned = /\/openai\/deployments\/[^/]+$/.test(base)
  const prefix = base.endsWith('/openai/deployments') ? `${base}/` : base.endsWith('/openai') ? `${base}/deployments/` : `${base}/openai/deployments/`
  const query = `?api-version=${encodeURIComponent(cfg.apiVersion ?? DEFAULT_AZURE_API_VERSION)}`
  const key = cfg.apiKey && !cfg.apiKey.isEmpty ? cfg.apiKey.reveal() : undefined
  // The Responses API has no deployment path: Azure's v1 route names the deployment in the body's `model`.
  const root = base.replace(/\/openai(\/deployments(\/[^/]+)?)?$/, '')
  const responses = `${root}/openai/v1/responses`
  const path = (ep: OpenAIEndpoint, model: string): string =>
    ep === 'responses' ? responses : pinned ? `${base}${SUFFIX[ep]}${query}` : `${prefix}${encodeURIComponent(model)}${SUFFIX[ep]}${query}`
  return createOpenAICompatibleClient(cfg, path, key ? { 'api-key': key } : {}, cfg.responses !== 'chat')
}
