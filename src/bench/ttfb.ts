/** Unloaded time to first byte / first SSE event / full stream, probed with sequential requests (SPEC §2 `bench`, chat-stream). */
import { Agent, request } from 'undici'
import type { Scenario } from './scenario.js'
import { assertLoopback } from './run.js'

export interface TtfbResult {
  readonly samples: number
  /** medians in milliseconds */
  readonly headersMs: number
  readonly firstEventMs: number
  readonly fullMs: number
  /** median time to the first chunk holding `marker` (e.g. the first `response.output_text.delta`), when one was given */
  readonly markerMs?: number
}

/**
 * Sequential requests on one kept-alive connection, so no queueing hides the per-request cost.
 * Bounded by `count` and `budgetMs`, whichever comes first; a few warm-up requests are not counted.
 */
export async function probeTtfb(baseUrl: string, s: Scenario, count = 200, budgetMs = 5000, extraHeaders: Record<string, string> = {}, marker?: string): Promise<TtfbResult | undefined> {
  const base = assertLoopback(baseUrl)
  const url = new URL(s.path, base)
  const agent = new Agent({ connections: 1, pipelining: 1 })
  const headers = { ...s.headers, ...extraHeaders }
  const heads: number[] = []
  const firsts: number[] = []
  const fulls: number[] = []
  const marks: number[] = []
  const deadline = Date.now() + budgetMs
  try {
    for (let i = 0; i < count + 10 && Date.now() < deadline; i++) {
      const t0 = process.hrtime.bigint()
      const res = await request(url, { method: s.method as 'POST', headers, body: s.bodies[i % Math.max(1, s.bodies.length)], dispatcher: agent, headersTimeout: 10_000, bodyTimeout: 10_000 })
      const th = process.hrtime.bigint()
      let tf: bigint | undefined
      let tm: bigint | undefined
      for await (const chunk of res.body) {
        // the first chunk carrying "data:" is the first SSE event (keep-alive comments start with ':')
        if (tf === undefined && (chunk as Buffer).includes('data:')) tf = process.hrtime.bigint()
        if (marker !== undefined && tm === undefined && (chunk as Buffer).includes(marker)) tm = process.hrtime.bigint()
      }
      const te = process.hrtime.bigint()
      if (res.statusCode >= 300) return undefined
      if (i < 10) continue
      heads.push(ms(th - t0))
      firsts.push(ms((tf ?? te) - t0))
      fulls.push(ms(te - t0))
      if (marker !== undefined) marks.push(ms((tm ?? te) - t0))
    }
  } catch {
    return undefined
  } finally {
    await agent.close()
  }
  if (heads.length === 0) return undefined
  return { samples: heads.length, headersMs: median(heads), firstEventMs: median(firsts), fullMs: median(fulls), ...(marker === undefined ? {} : { markerMs: median(marks) }) }
}

const ms = (ns: bigint): number => Number(ns) / 1e6

function median(xs: number[]): number {
  const a = [...xs].sort((x, y) => x - y)
  const m = a[Math.floor(a.length / 2)] ?? 0
  return Math.round(m * 1000) / 1000
}
