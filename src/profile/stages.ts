/** The per-stage time table of `llmgw profile --tool stages` (SPEC §2), from the gateway's GET /admin/stages. */
import Table from 'cli-table3'
import { request } from 'undici'

export interface StageFigures {
  readonly count: number
  readonly totalMs: number
  readonly meanUs: number
}

export type StageTable = Record<string, StageFigures>

/** The pipeline order the table is printed in; stages the gateway reports beyond these follow alphabetically. */
const ORDER = ['parse', 'auth', 'limits', 'rules', 'routing', 'upstream_wait', 'upstream', 'relay', 'observe', 'log', 'metrics']

/** GET /admin/stages. Throws a plain Error saying what went wrong (endpoint missing, not JSON, wrong shape). */
export async function fetchStages(gatewayUrl: string, adminToken?: string): Promise<StageTable> {
  const res = await request(new URL('/admin/stages', gatewayUrl), {
    headers: adminToken ? { authorization: `Bearer ${adminToken}` } : {},
    headersTimeout: 5000,
    bodyTimeout: 5000,
  })
  const text = await res.body.text()
  if (res.statusCode === 404) throw new Error('the gateway has no GET /admin/stages: it was not started with LLMGW_PROFILE_STAGES=1 or does not support stage profiling yet')
  if (res.statusCode !== 200) throw new Error(`GET /admin/stages answered ${res.statusCode}: ${text.slice(0, 200)}`)
  return parseStages(text)
}

export function parseStages(text: string): StageTable {
  let v: unknown
  try {
    v = JSON.parse(text)
  } catch {
    throw new Error(`GET /admin/stages did not return JSON: ${text.slice(0, 120)}`)
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('GET /admin/stages: expected an object of stage -> { count, totalMs, meanUs }')
  const out: StageTable = {}
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    const f = x as Partial<StageFigures> | null
    if (!f || typeof f.count !== 'number' || typeof f.totalMs !== 'number') continue
    out[k] = { count: f.count, totalMs: f.totalMs, meanUs: typeof f.meanUs === 'number' ? f.meanUs : f.count > 0 ? (f.totalMs * 1000) / f.count : 0 }
  }
  return out
}

export function orderedStages(t: StageTable): [string, StageFigures][] {
  const rank = (k: string): number => { const i = ORDER.indexOf(k); return i === -1 ? ORDER.length : i }
  return Object.entries(t).sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b))
}

/** Mean µs per request per stage and its share of the summed stage time. */
export function formatStages(t: StageTable, requests: number): string {
  const rows = orderedStages(t)
  if (rows.length === 0) return 'no stage timings were recorded (did any request reach the gateway?)'
  const sum = rows.reduce((n, [, f]) => n + f.totalMs, 0)
  const table = new Table({ head: ['stage', 'calls', 'mean µs', 'µs per request', 'total ms', 'share'], style: { head: [], border: [] } })
  for (const [name, f] of rows) {
    table.push([name, String(f.count), f.meanUs.toFixed(1), requests > 0 ? ((f.totalMs * 1000) / requests).toFixed(1) : '-', f.totalMs.toFixed(1), sum > 0 ? `${((f.totalMs / sum) * 100).toFixed(1)}%` : '-'])
  }
  // wall-clock stages (upstream_wait, relay) include queueing under load; the CPU-bound ones are the gateway's own cost
  return `${table.toString()}\nshare = of the summed stage time; upstream_wait and relay are wall time (they include the mock and queueing)`
}
