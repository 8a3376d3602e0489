/** Semantic diff of `auth` and `limits` (SPEC §3): who may call, and how often. */
import type { AuthSpec, JwtSpec, LimitsSpec } from '../schema.js'
import { ChangeList } from './change-list.js'

const REJECTED = 'tokens valid before are now rejected (401)'

export function diffAuth(c: ChangeList, a: AuthSpec, b: AuthSpec): void {
  c.value('auth.required', a.required, b.required, {
    class: (x, y) => (y ? 'breaking' : 'risky'),
    note: (x, y) => (y ? 'auth turned on: requests without a valid key now get 401' : 'auth turned off: anonymous requests are now served'),
  })
  c.fields<JwtSpec>('auth.jwt', a.jwt, b.jwt, {
    added: { class: 'safe', note: 'JWTs are now accepted' },
    removed: { class: 'breaking', note: 'clients sending JWTs now get 401' },
    rules: {
      issuer: { class: 'breaking', note: REJECTED },
      audience: { class: 'breaking', note: REJECTED },
      jwksUrl: { class: 'breaking', note: `signing keys come from elsewhere: ${REJECTED}` },
      secret: { hidden: { class: 'breaking', note: `secret changed: ${REJECTED}` } },
      publicKey: { hidden: { class: 'breaking', note: `public key changed: ${REJECTED}` } },
      publicKeyFile: { class: 'breaking', note: `public key file changed: ${REJECTED}` },
      keyClaim: { class: 'breaking', note: 'tokens now map to keys by a different claim' },
      clockTolerance: {
        class: (x, y) => ((y ?? 0) < (x ?? 0) ? 'risky' : 'safe'),
        unit: 'ms',
        note: (x, y) => ((y ?? 0) < (x ?? 0) ? 'less clock skew tolerated' : 'more clock skew tolerated'),
      },
    },
  })
}

export function diffLimits(c: ChangeList, a: LimitsSpec, b: LimitsSpec): void {
  const limit = (what: string) => ({ bound: { what, tightened: 'breaking' as const, loosened: 'safe' as const } })
  c.fields('limits.perIp', a.perIp ?? {}, b.perIp ?? {}, {
    rules: { rpm: limit('per-IP requests per minute'), tpm: limit('per-IP tokens per minute'), concurrency: limit('per-IP concurrent requests') },
  })
  c.fields('limits.global', a.global ?? {}, b.global ?? {}, {
    rules: { rps: limit('global requests per second'), concurrency: limit('global concurrent requests') },
  })
}
