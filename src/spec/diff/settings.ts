/** Semantic diff of `server`, `admin`, `state`, `batching`, `observability` (SPEC §3): mostly operator-facing. */
import type { AdminSpec, BatchingSpec, ObservabilitySpec, ServerSpec, StateSpec } from '../schema.js'
import { ChangeList } from './change-list.js'
import { urlNote } from './url.js'

export function diffServer(c: ChangeList, a: ServerSpec, b: ServerSpec): void {
  // The listen socket and the worker threads are created once: these three cannot be hot-applied (SPEC §6).
  c.value('server.host', a.host, b.host, { class: 'breaking', restart: true, note: 'clients must connect to the new address (after a restart)' })
  c.value('server.port', a.port, b.port, { class: 'breaking', restart: true, note: 'clients must connect to the new port (after a restart)' })
  c.value('server.workers', a.workers, b.workers, { class: 'safe', restart: true, note: 'worker count applies after a restart' })
  c.bound('server.maxBodySize', a.maxBodySize, b.maxBodySize, { what: 'request body limit', tightened: 'breaking', loosened: 'safe', unit: 'bytes' })
  c.value('server.requestTimeout', a.requestTimeout, b.requestTimeout, {
    class: 'risky',
    unit: 'ms',
    note: (x, y) => ((y ?? 0) > (x ?? 0) ? 'timeout raised: slow requests hold connections longer' : 'timeout lowered: long requests (and streams) now time out'),
  })
  c.value('server.shutdownGrace', a.shutdownGrace, b.shutdownGrace, { class: 'safe', unit: 'ms', note: 'drain time on shutdown changed' })
  c.value('server.sseKeepalive', a.sseKeepalive, b.sseKeepalive, {
    class: (x, y) => (y === 0 ? 'risky' : 'safe'),
    unit: 'ms',
    note: (x, y) => (y === 0 ? 'keepalive off: idle proxies may cut long streams' : 'stream keepalive interval changed'),
  })
}

export function diffAdmin(c: ChangeList, a: AdminSpec, b: AdminSpec): void {
  c.value('admin.port', a.port, b.port, { class: 'risky', restart: true, note: 'admin endpoints (health, metrics) move: update probes and scrapers' })
  c.secret('admin.token', a.token, b.token, {
    class: 'risky',
    note: b.token === undefined ? 'admin token removed: /admin/* is open' : 'secret changed: /admin/* callers need the new token',
  })
}

export function diffState(c: ChangeList, a: StateSpec, b: StateSpec): void {
  c.value('state.store', a.store, b.store, { class: 'risky', note: 'limit, budget and cache state move to another store: counters start fresh' })
  c.fields('state.redis', a.redis, b.redis, {
    added: { class: 'risky', note: 'redis settings added' },
    removed: { class: 'safe', note: 'redis settings removed' },
    rules: {
      url: { hidden: { class: 'risky', note: 'secret changed: state moves to another redis; counters start fresh' } },
      prefix: { class: 'risky', note: 'new key prefix: counters start fresh' },
      commandTimeout: { class: 'safe', unit: 'ms', restart: true, note: 'how long a redis command may take before the store counts as unavailable' },
      cacheMaxEntry: { class: 'safe', unit: 'bytes', restart: true, note: 'largest cached answer shared through redis changed' },
    },
  })
  c.value('state.onUnavailable', a.onUnavailable, b.onUnavailable, {
    class: 'risky',
    restart: true,
    note: b.onUnavailable === 'open' ? 'redis down: requests pass on per-process limits' : 'redis down: requests are refused with 503',
  })
}

export function diffBatching(c: ChangeList, a: BatchingSpec, b: BatchingSpec): void {
  c.fields('batching.embeddings', a.embeddings, b.embeddings, {
    added: { class: 'safe', note: 'embedding requests are now batched' },
    removed: { class: 'safe', note: 'embedding requests are no longer batched' },
    rules: {
      maxBatch: { class: 'safe', note: 'batch size changed' },
      maxWait: { class: (x, y) => ((y ?? 0) > (x ?? 0) ? 'risky' : 'safe'), unit: 'ms', note: 'batch wait changed (adds latency)' },
    },
  })
}

export function diffObservability(c: ChangeList, a: ObservabilitySpec, b: ObservabilitySpec): void {
  c.value('observability.accessLog.format', a.accessLog.format, b.accessLog.format, { class: 'safe', note: 'access log format changed' })
  c.value('observability.accessLog.destination', a.accessLog.destination, b.accessLog.destination, { class: 'safe', note: 'access log goes elsewhere' })
  c.value('observability.metrics', a.metrics, b.metrics, { class: 'safe', note: 'metrics endpoint toggled' })
  c.fields('observability.tracing', a.tracing, b.tracing, {
    added: { class: 'safe', note: 'tracing on' },
    removed: { class: 'safe', note: 'tracing off' },
    rules: {
      otlpEndpoint: { class: 'safe', note: urlNote('traces go elsewhere') },
      sampleRatio: { class: 'safe', note: 'trace sampling changed' },
      serviceName: { class: 'safe', note: 'trace service name changed' },
      headers: { hidden: { class: 'safe', note: 'exporter headers changed (values not shown)' } },
    },
  })
}
