/** Same format on both sides (SPEC §4): the parsed body goes upstream with the target's model, the answer as received. */
import { copyRecord } from '../core/record.js'
import { streamBodyWithUsage } from '../wire/openai.js'
import type { AttemptRequest, TranslateInput, Translator } from './types.js'

/**
 * HOT PATH: no copy when the body already names the target's model (a '*' target, or a model named like its target);
 * otherwise one shallow copy with the upstream model, so the request's own body is never mutated and a fallback that
 * crosses provider types starts from what the client sent.
 */
export function withModel(body: Readonly<Record<string, unknown>>, model: string): Record<string, unknown> {
  if (body.model === model) return body as Record<string, unknown>
  const out = copyRecord(body)
  out.model = model
  return out
}

/** A streamed chat body for an upstream: with the target's model and asking for usage (wire/openai.ts). */
export const withModelAndUsage = (body: Readonly<Record<string, unknown>>, model: string): Record<string, unknown> =>
  streamBodyWithUsage(body, model)

function request(p: TranslateInput, model: string): AttemptRequest {
  return {
    endpoint: p.endpoint,
    body: p.stream && p.endpoint !== 'embeddings' ? withModelAndUsage(p.body, model) : withModel(p.body, model),
    clientFormat: p.endpoint === 'messages' ? 'anthropic' : 'openai',
    clientWantsUsage: p.clientWantsUsage,
  }
}

/** chat, completions, embeddings to any backend; messages to any backend (the adapters own the Anthropic codec). */
export const PASS_THROUGH: Translator = { name: 'pass-through', request, wrap: undefined }

/** The client's own body relayed to a backend that speaks its API (responses to openai/azure, count_tokens to anthropic). */
export const NATIVE: Translator = {
  name: 'native',
  request: (p, model) => ({
    endpoint: p.endpoint,
    body: withModel(p.native ?? p.body, model),
    clientFormat: p.endpoint === 'count_tokens' ? 'anthropic' : 'openai',
    clientWantsUsage: p.clientWantsUsage,
  }),
  wrap: undefined,
}
