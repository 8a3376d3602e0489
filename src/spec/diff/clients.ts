/** Semantic diff of who may call and how much (SPEC §3 `keys`, `auth`, `limits`): key values are compared, never shown. */
import { createHash } from 'node:crypto'
import type { AuthSpec, JwtSpec, KeySpec, LimitsSpec } from '../schema.js'
import { ChangeList, formatValue } from './change-list.js'
import { urlNote } from './url.js'

/** The credential a key accepts, as its sha256 form, so `key: X` and `hash: sha256(X)` are the same key. */
function credential(k: KeySpec): string {
  if (k.hash !== undefined) return k.hash
  return `sha256:${createHash('sha256').update(k.key?.reveal() ?? '').digest('hex')}`
}

function scope(k: KeySpec): string {
  return k.models === undefined ? 'all models' : `models: ${formatValue(k.models)}`
}

export function diffKeys(c: ChangeList, olds: readonly KeySpec[], news: readonly KeySpec[]): void {
  c.keyed('keys', olds, news, (k) => k.id, {
    added: (path, k) => c.add({ path, kind: 'added', after: scope(k), class: 'safe', note: 'new client key' }),
    removed: (path, k) => c.add({ path, kind: 'removed', before: scope(k), class: 'breaking', note: 'clients using this key now get 401' }),
    both: (path, a, b) => diffKey(c, path, a, b),
  })
}

function diffKey(c: ChangeList, path: string, a: KeySpec, b: KeySpec): void {
  if (credential(a) !== credential(b)) {
    c.add({ path: `${path}.key`, kind: 'changed', before: '[redacted]', after: 'changed', class: 'breaking', note: 'key rotated: clients using the old key now get 401' })
  } else if ((a.hash === undefined) !== (b.hash === undefined)) {
    c.add({
      path: `${path}.key`,
      kind: 'changed',
      before: a.hash === undefined ? 'key' : 'hash',
      after: b.hash === undefined ? 'key' : 'hash',
      class: 'safe',
      note: 'same key, stored differently',
    })
  }
  diffScope(c, path, a, b)
  const limit = (what: string) => ({ bound: { what, tightened: 'breaking' as const, loosened: 'safe' as const } })
  c.fields(`${path}.limits`, a.limits ?? {}, b.limits ?? {}, {
    rules: { rpm: limit('requests per minute'), tpm: limit('tokens per minute'), concurrency: limit('concurrent requests') },
  })
  c.fields(`${path}.budget`, a.budget, b.budget, {
    added: { class: 'breaking', note: 'spending is now capped: requests beyond the budget get 429' },
    removed: { class: 'safe', note: 'spending no longer capped' },
    rules: {
      usd: { bound: { what: 'budget', tightened: 'breaking', loosened: 'safe' } },
      per: { class: 'risky', note: 'budget period changed: counters restart' },
    },
  })
  c.value(`${path}.expires`, a.expires, b.expires, {
    class: (x, y) => (y !== undefined && (x === undefined || y < x) ? 'breaking' : 'safe'),
    note: (x, y) => (y === undefined ? 'key no longer expires' : x === undefined || y < x ? 'key expires earlier: clients get 401 from then on' : 'key expires later'),
  })
  c.value(`${path}.metadata`, a.metadata, b.metadata, { class: 'safe', note: 'metadata changed' })
}

/** `models` globs: absent = all. Any pattern taken away narrows the key; only additions widen it. */
function diffScope(c: ChangeList, path: string, a: KeySpec, b: KeySpec): void {
  const x = a.models
  const y = b.models
  if (x === undefined && y === undefined) return
  const removed = x === undefined ? ['*'] : x.filter((m) => y !== undefined && !y.includes(m))
  const added = y === undefined ? ['*'] : y.filter((m) => x === undefined || !x.includes(m))
  if (removed.length === 0 && added.length === 0) return
  const narrowed = y !== undefined && removed.length > 0
  c.add({
    path: `${path}.models`,
    kind: 'changed',
    before: x === undefined ? 'all models' : formatValue(x),
    after: y === undefined ? 'all models' : formatValue(y),
    class: narrowed ? 'breaking' : 'safe',
    note: narrowed ? `narrowed: requests for ${removed.join(', ')} now get 403 model_not_allowed` : 'widened: the key may use more models',
  })
}

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
      jwksUrl: { class: 'breaking', note: urlNote(`signing keys come from elsewhere: ${REJECTED}`) },
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
