/** SPEC §3 models[].degrade (issue 12 part 4): the answer given when every target and fallback failed. */
import { z } from 'zod'
import { duration } from './units.js'

export const degradeSettings = z
  .strictObject({
    message: z.string().min(1).optional().meta({ description: 'a static answer, marked x-llmgw-degraded: static (after stale, when both are set)' }),
    stale: z
      .boolean()
      .default(false)
      .meta({ description: "answer with the last cached answer for the same request even if expired, marked x-llmgw-degraded: stale; needs the model's cache" }),
    staleFor: duration
      .prefault('1h')
      .meta({ description: 'how long past its ttl a cached answer is kept for stale answers (the cache size caps still apply)' }),
  })
  .superRefine((d, ctx) => {
    if (d.message === undefined && !d.stale) ctx.addIssue({ code: 'custom', message: 'needs message, stale: true, or both' })
  })
  .meta({ description: 'answer used when all targets and fallbacks fail or breakers are open: the stale cached answer, else the static message' })

export type DegradeSpec = z.output<typeof degradeSettings>
