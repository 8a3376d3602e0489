/**
 * POST /v1/messages/count_tokens (issue 11) to a backend without that endpoint: counted here with the tokenizer the
 * usage counts use (providers/tokens.ts, off the event loop), over the messages, the system prompt and the tool
 * definitions, answered in Anthropic's shape `{"input_tokens": n}`.
 */
import { promptText } from '../wire/openai.js'
import { countUsage } from '../providers/tokens.js'
import type { AttemptRequest, TranslateInput, Translator } from './types.js'

export interface LocalTranslator extends Translator {
  /** Answers without an upstream call: the JSON body to send. */
  local(p: TranslateInput): Promise<string>
}

/** Anthropic counts the tools' definitions as prompt; so does this (their JSON text, tokenized). */
export async function countInputTokens(p: TranslateInput): Promise<number> {
  const tools = p.native?.tools
  const toolText = Array.isArray(tools) && tools.length > 0 ? JSON.stringify(tools) : ''
  const u = await countUsage(promptText(p.body) + toolText, '')
  return u.prompt_tokens
}

export const TOKENIZER_COUNT: LocalTranslator = {
  name: 'count_tokens->tokenizer',
  request: (p): AttemptRequest => ({ endpoint: 'count_tokens', body: p.body as Record<string, unknown>, clientFormat: 'anthropic', clientWantsUsage: false }),
  wrap: undefined,
  local: async (p) => JSON.stringify({ input_tokens: await countInputTokens(p) }),
}
