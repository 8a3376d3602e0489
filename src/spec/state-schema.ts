/** The spec's `state` section (SPEC §3 state): where limits, budgets and cache live, and what happens when Redis is down. */
import { z } from 'zod'
import { duration, optionalSecret, size } from './units.js'

export const state = z
  .strictObject({
    store: z.enum(['memory', 'redis']).default('memory'),
    onUnavailable: z
      .enum(['closed', 'open'])
      .default('closed')
      .meta({ description: 'redis down: closed = answer 503 upstream_unavailable at once; open = admit with per-process local limits' }),
    redis: z
      .strictObject({
        url: optionalSecret,
        prefix: z.string().default('llmgw:'),
        commandTimeout: duration
          .refine((ms) => ms > 0, { error: 'must be more than 0 ms: a command without a deadline is what stalls requests' })
          .prefault('250ms')
          .meta({ description: 'longest wait for one Redis command before the store counts as unavailable' }),
        cacheMaxEntry: size
          .prefault('256kb')
          .meta({ description: 'bytes: larger cached answers stay in the replica that made them (0 = no shared cache)' }),
      })
      .optional(),
  })
  .prefault({})
