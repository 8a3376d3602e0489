/**
 * The degraded answer (SPEC §3 models[].degrade, issue 12): a fixed text, answered like an upstream would (chat,
 * completions, or Anthropic Messages; a stream when the client asked for one), with no network and no tokens spent.
 */
import type { AttemptResult, AttemptSink, ProviderClient, UpstreamCall } from './types.js'
import { answerFormat, relayWhole } from './text-relay.js'

const NOTHING_SPENT = { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 }

export function createStaticAnswerClient(name: string, message: string): ProviderClient {
  return {
    name,
    // answers as the in-process mock does: the chat wire, nothing native beyond it
    type: 'mock',
    call(req: UpstreamCall, sink: AttemptSink): Promise<AttemptResult> {
      return relayWhole(req, sink, answerFormat(name, req), { text: message, finish: 'stop', usage: NOTHING_SPENT }, typeof req.body.model === 'string' ? req.body.model : undefined)
    },
    close: () => Promise.resolve(),
  }
}
