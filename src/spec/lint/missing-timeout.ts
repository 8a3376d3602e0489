/** Lint rule missing-timeout: remote providers state their per-attempt timeout (SPEC §3 providers[].timeout). */
import { formatDuration } from '../../core/duration.js'
import { valueAt } from '../zod-problems.js'
import type { Finding, LintRule } from './types.js'

export const missingTimeout: LintRule = {
  id: 'missing-timeout',
  severity: 'warning',
  description: 'a remote provider has no explicit timeout, so the default applies silently',
  check({ spec, raw }) {
    const out: Finding[] = []
    spec.providers.forEach((p, i) => {
      if (p.type === 'mock' || valueAt(raw, ['providers', i, 'timeout']) !== undefined) return
      out.push({
        path: ['providers', i],
        message: `provider '${p.name}' has no timeout; the default ${formatDuration(p.timeout)} per attempt applies (set timeout explicitly)`,
      })
    })
    return out
  },
}
