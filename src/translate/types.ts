/**
 * The translator seam (SPEC §4 "translated both ways"): one Translator per (client endpoint, backend) pair, chosen once
 * per target at compile time. It builds each attempt's upstream request from the parsed request (never mutating it)
 * and, when the backend answers in another format, wraps the call's AttemptSink to rewrite the answer.
 */
import type { Endpoint } from '../core/types.js'
import type { AttemptResult, AttemptSink, UpstreamCall } from '../providers/types.js'

/** What a translator reads of the request: parsed once, shared by every attempt (read-only here). */
export interface TranslateInput {
  readonly endpoint: Endpoint
  /** The canonical chat body (wire/request.ts); `model` is the client's. */
  readonly body: Readonly<Record<string, unknown>>
  /** The client's own body for responses and count_tokens (wire/request.ts ParsedRequest.native). */
  readonly native: Readonly<Record<string, unknown>> | undefined
  readonly stream: boolean
  readonly clientWantsUsage: boolean
  /**
   * A rule rewrote the prompt (system prompt, context trimming) after parsing: `native` no longer says what the model
   * must see, so a native relay goes through the canonical body instead (the rule is never silently skipped).
   */
  readonly promptRewritten: boolean
}

/** The request half of one attempt: the fields of UpstreamCall a translator decides. */
export type AttemptRequest = Pick<UpstreamCall, 'endpoint' | 'body' | 'clientFormat' | 'clientWantsUsage'>

/**
 * A sink that rewrites an answer; end() runs once the adapter returned (with what it reported), before the call
 * finishes the response. Sinks compose: one whose inner sink translates too ends it in turn.
 */
export interface TranslatingSink extends AttemptSink {
  end(res: AttemptResult): void
}

export interface Translator {
  /** Shown by explain/tests: e.g. 'pass-through', 'responses->chat'. */
  readonly name: string
  /** HOT PATH: the attempt's request for upstream model `model`, built (a new body only where one differs). */
  request(p: TranslateInput, model: string): AttemptRequest
  /**
   * Undefined for a pass-through pair: the adapter writes straight to the call's sink (no extra work). May return
   * `sink` itself when this request needs no rewriting.
   */
  readonly wrap: ((sink: AttemptSink, p: TranslateInput) => AttemptSink & Partial<TranslatingSink>) | undefined
}
