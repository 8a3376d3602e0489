/** SPEC §3 models[].degrade (issue 12 part 4): the answer given when every target and fallback failed. */
import { z } from 'zod'

export const degradeSettings = z
  .strictObject({
    message: z.string().min(1).meta({ description: 'a static answer, marked x-llmgw-degraded: static' }),
  })
  .meta({ description: 'answer used when all targets and fallbacks fail or breakers are open' })

export type DegradeSpec = z.output<typeof degradeSettings>
