/** Lint rule auth-without-credentials: `auth.required: true` needs keys or jwt, else nobody can call (SPEC §3 auth). */
import type { LintRule } from './types.js'

export const authWithoutCredentials: LintRule = {
  id: 'auth-without-credentials',
  severity: 'error',
  description: 'auth is required but there are no keys and no jwt, so every request would get 401',
  check({ spec }) {
    if (!spec.auth.required || spec.keys.length > 0 || spec.auth.jwt) return []
    return [{ path: ['auth', 'required'], message: 'auth is required but no keys or jwt are configured: every request would be refused' }]
  },
}
