/** Lint rule timeout-over-request-timeout: no per-attempt timeout outlives the whole request (SPEC §3 server, providers, models). */
import { formatDuration } from '../../core/duration.js'
import { valueAt } from '../zod-problems.js'
import type { Finding, LintRule } from './types.js'

export const timeoutOverRequestTimeout: LintRule = {
  id: 'timeout-over-request-timeout',
  severity: 'warning',
  description: 'a provider or model timeout is longer than server.requestTimeout, which cuts the request first',
  check({ spec, raw }) {
    const limit = spec.server.requestTimeout
    const out: Finding[] = []
    const say = (path: (string | number)[], ms: number) =>
      out.push({ path, message: `timeout ${formatDuration(ms)} is longer than server.requestTimeout ${formatDuration(limit)}, which ends the request first` })
    // Only timeouts the user wrote: a defaulted 60s against a deliberately short requestTimeout is not worth a warning.
    spec.providers.forEach((p, i) => {
      if (valueAt(raw, ['providers', i, 'timeout']) !== undefined && p.timeout > limit) say(['providers', i, 'timeout'], p.timeout)
    })
    spec.models.forEach((m, i) => {
      if (m.timeout !== undefined && m.timeout > limit) say(['models', i, 'timeout'], m.timeout)
    })
    return out
  },
}
