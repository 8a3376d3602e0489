/** Spec value codecs shared by the schema: durations, sizes, secrets, ports (SPEC §3 preamble). */
import { z } from 'zod'
import { parseDuration } from '../core/duration.js'
import { parseSize } from '../core/size.js'
import { Secret } from '../core/secret.js'

// The string patterns mirror core/duration.ts and core/size.ts so editors validate through the JSON Schema too.
const DURATION_TEXT = /^\s*\d+(?:\.\d+)?\s*(?:ms|s|m|h|d)\s*$/
const SIZE_TEXT = /^\s*\d+(?:\.\d+)?\s*(?:b|kb|mb|gb|B|KB|MB|GB|Kb|Mb|Gb)?\s*$/

/** A duration: "250ms", "5s", "1m", "1h" or milliseconds. Output: milliseconds. */
export const duration = z
  .union([
    z.string().regex(DURATION_TEXT, { error: 'expected a duration like "250ms", "5s", "1m", "1h"' }),
    z.number().nonnegative(),
  ])
  .transform((v) => parseDuration(v) as number)
  .meta({ description: 'duration: "250ms", "5s", "1m", "1h" or a number of milliseconds' })

/** A size: "512kb", "4mb" or bytes. Output: bytes. */
export const size = z
  .union([
    z.string().regex(SIZE_TEXT, { error: 'expected a size like "512kb", "4mb"' }),
    z.number().int().nonnegative(),
  ])
  .transform((v) => parseSize(v) as number)
  .meta({ description: 'size: "512kb", "4mb" or a number of bytes' })

/** A secret string: wrapped at once so it can never be printed. Output: Secret. */
export const secret = z
  .string()
  .transform((v) => new Secret(v))
  .meta({ description: 'a secret; write ${env:NAME} rather than the value' })

/** An optional secret where "" (e.g. `${env:X:-}`) means "not set". Output: Secret | undefined. */
export const optionalSecret = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v === '' ? undefined : new Secret(v)))
  .meta({ description: 'a secret; write ${env:NAME} rather than the value; empty = not set' })

/** A TCP port; numeric strings are accepted because `${env:PORT}` interpolates to text. */
export const port = z
  .union([z.number().int().min(0).max(65535), z.string().regex(/^\s*\d{1,5}\s*$/, { error: 'expected a port number' })])
  .transform((v, ctx) => {
    const n = Number(v)
    if (n > 65535) {
      ctx.addIssue({ code: 'custom', message: 'expected a port number (0-65535)' })
      return z.NEVER
    }
    return n
  })

/** A positive whole number (counts, sizes of pools and queues). */
export const count = z.number().int().positive()

/** A non-empty name (providers, models, keys, experiments). */
export const name = z.string().min(1, { error: 'must not be empty' })

/** Glob patterns over public model names ("gpt-*"). */
export const globs = z.array(z.string().min(1))

/** An ISO-8601 instant; Date objects from JS configs are turned into strings before zod (see interpolate.ts). */
export const instant = z
  .string()
  .refine((v) => !Number.isNaN(Date.parse(v)), { error: 'expected an ISO-8601 date-time like 2027-01-01T00:00:00Z' })
  .transform((v) => new Date(v).toISOString())
  .meta({ description: 'ISO-8601 date-time, e.g. 2027-01-01T00:00:00Z' })
