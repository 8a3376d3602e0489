/** The per-request CallContext (core/pipeline.ts): created after parsing, read and extended by stages (SPEC §7 reservations). */
import type { ActivePlugin, CallContext, CallEnd, Caller } from '../core/pipeline.js'
import type { Endpoint, Exchange, Usage } from '../core/types.js'
import { estimateReservation } from './estimate.js'

export interface Pricing {
  readonly input: number
  readonly output: number
}

/** USD for a usage at a price per 1M tokens; 0 when unpriced. */
export function costOf(usage: Usage | undefined, pricing: Pricing | undefined): number {
  if (!usage || !pricing) return 0
  return (usage.prompt_tokens * pricing.input + usage.completion_tokens * pricing.output) / 1e6
}

export class RequestContext implements CallContext {
  caller: Caller | undefined
  readonly headers: Array<[string, string]> = []
  plugins: ActivePlugin[] | undefined
  routeTo: string | undefined
  upstreamHeaders: Record<string, string> | undefined
  bodyEdited: boolean | undefined
  #reservation: { prompt: number; completion: number } | undefined
  #ends: Array<(end: CallEnd) => void> | undefined

  constructor(
    readonly ex: Exchange,
    readonly endpoint: Endpoint,
    public body: Record<string, unknown>,
    readonly model: string,
    readonly stream: boolean,
    /** The client asked for stream_options.include_usage (the adapter strips the usage chunk otherwise). */
    readonly clientWantsUsage: boolean,
    readonly pricing: Pricing | undefined,
    caller: Caller | undefined,
  ) {
    this.caller = caller
  }

  #reserve(): { prompt: number; completion: number } {
    return (this.#reservation ??= estimateReservation(this.endpoint, this.body))
  }

  reservedTokens(): number {
    const r = this.#reserve()
    return r.prompt + r.completion
  }

  reservedCostUsd(): number {
    if (!this.pricing) return 0
    const r = this.#reserve()
    return (r.prompt * this.pricing.input + r.completion * this.pricing.output) / 1e6
  }

  onEnd(fn: (end: CallEnd) => void): void {
    ;(this.#ends ??= []).push(fn)
  }

  /** Runs every settle step once; a throwing listener must not keep the others from settling. */
  settle(end: CallEnd): void {
    const ends = this.#ends
    if (!ends) return
    this.#ends = undefined
    for (const fn of ends) {
      try {
        fn(end)
      } catch {
        // a settle step failing is a bug in that stage; the others still release what they hold
      }
    }
  }
}
