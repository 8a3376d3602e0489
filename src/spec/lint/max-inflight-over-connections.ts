/** Lint rule max-inflight-over-connections: maxInFlight stays within 8 requests per pooled connection (SPEC §3 providers). */
import type { Finding, LintRule } from './types.js'

// Beyond ~8 requests per HTTP/1.1 connection, requests wait in undici's pool queue where no limit or timeout sees them.
const PER_CONNECTION = 8

export const maxInflightOverConnections: LintRule = {
  id: 'max-inflight-over-connections',
  severity: 'warning',
  description: `maxInFlight is more than ${PER_CONNECTION} x connections, so requests queue invisibly inside the pool`,
  check({ spec }) {
    const out: Finding[] = []
    spec.providers.forEach((p, i) => {
      if (p.type === 'mock' || p.maxInFlight <= p.connections * PER_CONNECTION) return
      out.push({
        path: ['providers', i, 'maxInFlight'],
        message: `maxInFlight ${p.maxInFlight} is more than ${PER_CONNECTION} x connections (${p.connections}); raise connections or lower maxInFlight`,
      })
    })
    return out
  },
}
