/** Lint rule admin-port-conflict: the admin port differs from the main port (SPEC §3 admin.port). */
import type { LintRule } from './types.js'

export const adminPortConflict: LintRule = {
  id: 'admin-port-conflict',
  severity: 'error',
  description: 'admin.port equals server.port; omit admin.port to serve admin paths on the main port',
  check({ spec }) {
    const { port } = spec.admin
    if (port === undefined || port === 0 || port !== spec.server.port) return []
    return [{ path: ['admin', 'port'], message: `admin.port ${port} is the main port; omit admin.port to serve admin paths there` }]
  },
}
