/** Semantic diff of `providers` (SPEC §3): identity by name; API keys and header values are never shown. */
import type { ProviderSpec } from '../schema.js'
import { ChangeList } from './change-list.js'
import { diffProtocols } from './protocols.js'
import { redactUrl, urlNote } from './url.js'

type Breaker = NonNullable<ProviderSpec['breaker']>

const looser = (higherIsLooser: boolean) => (x: number | undefined, y: number | undefined) =>
  (y ?? 0) > (x ?? 0) === higherIsLooser ? 'risky' : 'safe'
const breakerNote = (higherIsLooser: boolean) => (x: number | undefined, y: number | undefined) =>
  (y ?? 0) > (x ?? 0) === higherIsLooser ? 'breaker loosened: a failing upstream is cut off later' : 'breaker tightened: a failing upstream is cut off sooner'

/** "openai https://host/v1", credentials in the URL hidden. */
const describe = (p: ProviderSpec): string => `${p.type} ${redactUrl(p.baseUrl ?? '')}`.trim()

/** How a key pool changed, by count only: the keys themselves are never shown. */
function keyPoolNote(a: readonly unknown[] | undefined, b: readonly unknown[] | undefined): string {
  if (a === undefined || b === undefined || a.length === b.length) return 'secret changed: upstream calls use different API keys'
  return `secret changed: the key pool has ${b.length} key(s), was ${a.length}`
}

export function diffProviders(c: ChangeList, olds: readonly ProviderSpec[], news: readonly ProviderSpec[]): void {
  c.keyed('providers', olds, news, (p) => p.name, {
    added: (path, p) => c.add({ path, kind: 'added', after: describe(p), class: 'safe', note: 'new provider' }),
    // The loader guarantees no model of the new spec targets a removed provider, so clients see the model rows instead.
    removed: (path, p) => c.add({ path, kind: 'removed', before: describe(p), class: 'safe', note: 'provider no longer used; its pool is closed' }),
    both: (path, a, b) => diffProvider(c, path, a, b),
  })
}

function diffProvider(c: ChangeList, path: string, a: ProviderSpec, b: ProviderSpec): void {
  c.value(`${path}.type`, a.type, b.type, { class: 'risky', note: 'different upstream API' })
  c.value(`${path}.baseUrl`, a.baseUrl, b.baseUrl, { class: 'risky', note: urlNote('requests go to a different upstream') })
  c.value(`${path}.apiVersion`, a.type === 'azure-openai' ? a.apiVersion : undefined, b.type === 'azure-openai' ? b.apiVersion : undefined, {
    class: 'risky',
    note: 'azure api-version changed',
  })
  c.secret(`${path}.apiKey`, a.apiKey, b.apiKey, { class: 'risky', note: 'secret changed: upstream calls use a different API key' })
  c.secret(`${path}.apiKeys`, a.apiKeys, b.apiKeys, { class: 'risky', note: keyPoolNote(a.apiKeys, b.apiKeys) })
  c.value(`${path}.apiKeyFile`, a.apiKeyFile, b.apiKeyFile, { class: 'risky', note: 'upstream API keys read from a different file' })
  c.value(`${path}.keyStrategy`, a.keyStrategy, b.keyStrategy, { class: 'safe', note: 'keys of the pool are picked differently' })
  // Header values often carry credentials (Authorization, x-api-key): compared, never shown.
  const names = new Set([...Object.keys(a.headers), ...Object.keys(b.headers)])
  for (const h of names) {
    const x = a.headers[h]
    const y = b.headers[h]
    if (x === y) continue
    c.add({
      path: `${path}.headers.${h}`,
      kind: x === undefined ? 'added' : y === undefined ? 'removed' : 'changed',
      before: x === undefined ? undefined : '[redacted]',
      after: y === undefined ? undefined : x === undefined ? '[redacted]' : 'changed',
      class: 'risky',
      note: 'upstream header changed (value not shown)',
    })
  }
  c.value(`${path}.timeout`, a.timeout, b.timeout, {
    class: 'risky',
    unit: 'ms',
    note: (x, y) => ((y ?? 0) > (x ?? 0) ? 'timeout raised: a hanging upstream holds connections longer' : 'timeout lowered: slower upstream calls now fail (504)'),
  })
  c.value(`${path}.connections`, a.connections, b.connections, {
    class: (x, y) => ((y ?? 0) < (x ?? 0) ? 'risky' : 'safe'),
    note: (x, y) => ((y ?? 0) < (x ?? 0) ? 'smaller connection pool: may queue under load' : 'larger connection pool'),
  })
  c.bound(`${path}.maxInFlight`, a.maxInFlight, b.maxInFlight, { what: 'concurrency toward this provider', tightened: 'risky', loosened: 'safe' })
  c.fields(`${path}.queue`, a.queue, b.queue, {
    rules: {
      size: { bound: { what: 'queue', tightened: 'risky', loosened: 'safe' } },
      timeout: { bound: { what: 'queue wait', tightened: 'risky', loosened: 'safe', unit: 'ms' } },
    },
  })
  c.fields<Breaker>(`${path}.breaker`, a.breaker, b.breaker, {
    added: { class: 'safe', note: 'circuit breaker on' },
    removed: { class: 'risky', note: 'circuit breaker off: a failing upstream keeps getting traffic' },
    rules: {
      failureRate: { class: looser(true), note: breakerNote(true) },
      minRequests: { class: looser(true), note: breakerNote(true) },
      window: { class: 'risky', unit: 'ms', note: 'breaker window changed' },
      cooldown: { class: looser(false), unit: 'ms', note: (x, y) => ((y ?? 0) < (x ?? 0) ? 'breaker loosened: an open breaker retries the upstream sooner' : 'breaker tightened: an open breaker waits longer') },
      halfOpenProbes: { class: looser(true), note: breakerNote(true) },
    },
  })
  c.fields(`${path}.mock`, a.mock, b.mock, {
    rules: {
      latency: { class: 'safe', unit: 'ms', note: 'mock latency changed' },
      tokensPerSecond: { class: 'safe', note: 'mock speed changed' },
      failRate: { class: 'safe', note: 'mock failure rate changed' },
    },
  })
  diffProtocols(c, path, a, b)
}
