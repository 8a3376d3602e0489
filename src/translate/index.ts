/**
 * The translator factory (issue 14): per target, once at compile time, the Translator for each client endpoint given
 * what its provider speaks, one file per pair: chat/completions/embeddings pass through (pass-through.ts); chat to
 * anthropic (anthropic-chat.ts); messages to OpenAI-wire servers (messages-chat.ts); responses native, to chat
 * (responses-chat.ts) or to chat then Anthropic; count_tokens native or counted here (count-tokens.ts).
 */
import type { Endpoint } from '../core/types.js'
import type { ProviderClient } from '../providers/types.js'
import { CHAT_TO_ANTHROPIC, composeWithAnthropic } from './anthropic-chat.js'
import { TOKENIZER_COUNT } from './count-tokens.js'
import { MESSAGES_TO_CHAT } from './messages-chat.js'
import { NATIVE, PASS_THROUGH } from './pass-through.js'
import { RESPONSES_TO_CHAT } from './responses-chat.js'
import type { Translator } from './types.js'

export type { AttemptRequest, TranslateInput, TranslatingSink, Translator } from './types.js'
export type { LocalTranslator } from './count-tokens.js'

/** Per provider type, what it relays natively when the client does not say (`ProviderClient.speaks`). */
const NATIVE_BY_TYPE: Record<ProviderClient['type'], ReadonlySet<Endpoint>> = {
  openai: new Set(),
  'azure-openai': new Set(['responses']),
  anthropic: new Set(['count_tokens']),
  mock: new Set(['responses', 'count_tokens']),
  grpc: new Set(), // Responses reach gRPC/GraphQL upstreams translated to chat; count_tokens is counted here
  graphql: new Set(),
}

export const speaksNatively = (client: Pick<ProviderClient, 'type' | 'speaks'>, ep: Endpoint): boolean =>
  client.speaks?.(ep) ?? NATIVE_BY_TYPE[client.type]?.has(ep) ?? false

export type Translators = Readonly<Record<Endpoint, Translator>>

const RESPONSES_TO_ANTHROPIC = composeWithAnthropic(RESPONSES_TO_CHAT)

/**
 * Responses to an upstream that speaks it: relayed as sent, unless a rule rewrote the prompt (then the rewritten
 * canonical body goes to its chat endpoint, translated back: the rule applies, as on chat).
 */
const NATIVE_RESPONSES: Translator = {
  name: 'native',
  request: (p, model) => (p.promptRewritten ? RESPONSES_TO_CHAT : NATIVE).request(p, model),
  wrap: (sink, p) => (p.promptRewritten ? RESPONSES_TO_CHAT.wrap!(sink, p) : sink),
}

export function compileTranslators(client: Pick<ProviderClient, 'type' | 'speaks'>): Translators {
  if (client.type === 'anthropic') {
    return {
      chat: CHAT_TO_ANTHROPIC,
      completions: PASS_THROUGH, // refused by the adapter: Anthropic serves chat only
      embeddings: PASS_THROUGH,
      messages: PASS_THROUGH,
      responses: RESPONSES_TO_ANTHROPIC,
      count_tokens: speaksNatively(client, 'count_tokens') ? NATIVE : TOKENIZER_COUNT,
    }
  }
  return {
    chat: PASS_THROUGH,
    completions: PASS_THROUGH,
    embeddings: PASS_THROUGH,
    // the mock answers an Anthropic client in its own format; OpenAI-wire servers answer chat, translated here
    messages: client.type === 'mock' ? PASS_THROUGH : MESSAGES_TO_CHAT,
    responses: speaksNatively(client, 'responses') ? NATIVE_RESPONSES : RESPONSES_TO_CHAT,
    count_tokens: speaksNatively(client, 'count_tokens') ? NATIVE : TOKENIZER_COUNT,
  }
}
