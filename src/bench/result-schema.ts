/** The zod form of the `llmgw bench --json` document (SPEC §2); schemas/bench-result.schema.json is generated from it. */
import { z } from 'zod'

const num = z.number()
const nullableNum = num.nullable()

const latency = z.strictObject({ p50: num, p90: num, p99: num, max: num, mean: num }).meta({ description: 'milliseconds' })

const processFigures = z
  .strictObject({
    cpuSeconds: num.meta({ description: 'user + system CPU seconds the process used during the run (from /proc/PID/stat)' }),
    rssBytes: num.meta({ description: 'resident set size at the end of the run (VmRSS)' }),
    peakRssBytes: num.meta({ description: 'peak resident set size so far (VmHWM)' }),
  })
  .nullable()
  .meta({ description: 'null when the process is not ours (--target) or /proc is unavailable' })

const runFigures = z.strictObject({
  requests: num.meta({ description: 'responses received' }),
  reqPerSec: num,
  latencyMs: latency,
  errors: num.meta({ description: 'connection errors and timeouts' }),
  timeouts: num,
  non2xx: num,
  statusCodes: z.record(z.string(), num),
  bytesPerSec: num,
  durationSec: num,
  interrupted: z.boolean().meta({ description: 'stopped early (Ctrl-C, crash): partial figures' }),
  process: processFigures,
  cpuUsPerRequest: nullableNum.meta({ description: 'CPU microseconds of the measured process per response' }),
})

const ratios = z
  .strictObject({
    reqPerSec: num.meta({ description: 'gateway req/s divided by direct req/s' }),
    addedP50Ms: num,
    addedP99Ms: num,
    cpuPerRequest: nullableNum.meta({ description: 'gateway CPU per request divided by the mock CPU per request' }),
    gatewayCpuUsPerRequest: nullableNum,
    requestsPerGatewayCpuSecond: nullableNum,
  })
  .nullable()

const ttfbFigures = z.strictObject({ samples: num, headersMs: num, firstEventMs: num, fullMs: num }).meta({ description: 'medians of sequential unloaded requests, milliseconds' })

const roundFigures = z.strictObject({
  gatewayReqPerSec: num,
  gatewayCpuUsPerRequest: nullableNum,
  directReqPerSec: nullableNum,
  directCpuUsPerRequest: nullableNum,
  reqPerSec: nullableNum.meta({ description: "this round's gateway req/s divided by its direct req/s" }),
  cpuPerRequest: nullableNum.meta({ description: "this round's gateway CPU per request divided by the mock's" }),
})

const noise = z
  .strictObject({
    reqPerSec: nullableNum.meta({ description: 'spread of the per-round throughput ratios (absolute req/s without a direct run)' }),
    cpuPerRequest: nullableNum.meta({ description: 'spread of the per-round CPU-per-request ratios' }),
  })
  .nullable()
  .meta({ description: '1.4826 x median absolute deviation / median of the rounds, as a fraction (0.08 = 8 %); null with fewer than 2 rounds' })

const scenarioResult = z.strictObject({
  name: z.string(),
  file: z.string(),
  stream: z.boolean(),
  skipped: z.string().nullable().meta({ description: 'why the scenario did not run; null when it ran' }),
  gateway: runFigures.nullable(),
  direct: runFigures.nullable().meta({ description: 'the same load sent straight to the mock (self-hosted mode only)' }),
  ratios,
  upstreamRequests: nullableNum.meta({ description: 'requests the mock counted during the gateway run' }),
  ttfb: z.strictObject({ gateway: ttfbFigures, direct: ttfbFigures.nullable(), addedFirstEventMs: nullableNum }).nullable(),
  rounds: z.array(roundFigures).optional().meta({ description: 'one entry per interleaved round (gateway run, then direct run); gateway/direct sum the rounds, ratios are the medians of the per-round ratios. Absent in results from before rounds' }),
  noise: noise.optional(),
})

export const benchResultSchema = z
  .strictObject({
    schema: z.literal('llmgw-bench-result/1'),
    llmgwVersion: z.string(),
    createdAt: z.string(),
    machine: z.strictObject({ cpus: num, cpuModel: z.string(), node: z.string(), platform: z.string(), loadavg1m: num }),
    mode: z.enum(['self-hosted', 'target']),
    target: z.string().nullable(),
    config: z.string().nullable(),
    connections: num,
    durationMs: num,
    rounds: num.optional().meta({ description: 'interleaved rounds per scenario (absent in results from before rounds: 1)' }),
    interrupted: z.boolean(),
    errors: z.array(z.string()),
    scenarios: z.array(scenarioResult),
  })
  .meta({ title: 'llmgw bench result', description: 'Output of `llmgw bench --json` and the format of --baseline / --save-baseline files.' })

export function benchResultJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(benchResultSchema, { target: 'draft-2020-12' }) as Record<string, unknown>
}
