/** `type: openai` (SPEC §3 providers): any OpenAI-compatible server (OpenAI, vLLM, Ollama, Groq, Together...). */
import type { ProviderConfig } from './config.js'
import { createOpenAICompatibleClient, type OpenAIEndpoint } from './openai-compatible.js'
import type { ProviderClient } from './types.js'

/** `{baseUrl}/chat/completions` etc., joined once; `Authorization: Bearer <apiKey>` when a key is set. */
export function createOpenAIClient(cfg: ProviderConfig): ProviderClient {
  const prefix = new URL(cfg.baseUrl).pathname.replace(/\/+$/, '')
  const paths: Record<OpenAIEndpoint, string> = {
    chat: `${prefix}/chat/completions`,
    completions: `${prefix}/completions`,
    embeddings: `${prefix}/embeddings`,
    responses: `${prefix}/responses`,
  }
  const key = cfg.apiKey && !cfg.apiKey.isEmpty ? cfg.apiKey.reveal() : undefined
  return createOpenAICompatibleClient(cfg, (ep) => paths[ep], key ? { authorization: `Bearer ${key}` } : {}, speaksResponses(cfg))
}

/**
 * Whether POST {baseUrl}/responses exists (issue 11): OpenAI's own API has it; an OpenAI-compatible server (vLLM,
 * Ollama, llmgw mock...) is assumed chat-only, and /v1/responses is translated to chat for it. `cfg.responses`
 * overrides the guess.
 */
export function speaksResponses(cfg: ProviderConfig): boolean {
  if (cfg.responses !== undefined) return cfg.responses === 'native'
  return new URL(cfg.baseUrl).hostname === 'api.openai.com'
}
