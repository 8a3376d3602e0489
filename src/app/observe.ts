/** Observability of a running app (SPEC §3 observability, §5 metrics): access log, metrics, dashboard snapshot, as one observer. */
import { DEGRADED_PROVIDER } from '../compile/degrade.js'
import type { RequestObserver, RequestRecord } from '../core/pipeline.js'
import { type AccessLog, createAccessLog } from '../observe/access-log.js'
import { createMetrics, type LiveStates, type Metrics } from '../observe/metrics.js'
import { createSnapshot, type Snapshot, type SnapshotOptions } from '../observe/snapshot.js'
import type { Spec } from '../spec/schema.js'

export interface AppObservability {
  /** undefined when nothing observes: then the pipeline builds no RequestRecord at all. */
  readonly observer: RequestObserver | undefined
  readonly metricsText: (() => Promise<string>) | undefined
  readonly snapshot: Snapshot | undefined
  /** The Prometheus metrics (undefined when observability.metrics is false); the app binds limit and breaker hooks to it. */
  readonly metrics: Metrics | undefined
  /** After each reload attempt: labels of the new spec, llmgw_config_reloads_total, llmgw_config_info. */
  reloaded(result: { ok: true; spec: Spec; version: string } | { ok: false; message: string }): void
  close(): Promise<void>
}

export interface ObserveOptions {
  /** Off in tests. With `dashboard` on, only destinations off the terminal are written (accessLogBesideDashboard). */
  accessLog: boolean
  /** Count llmgw_config_reloads_total here (default true); with --workers only worker 0 does, so the merged sum is right. */
  countReloads?: boolean
  dashboard: boolean
  listenUrl?: string
  specFile?: string
  /** Breaker, queue and in-flight state per provider of the serving Gateway (dashboard provider rows). */
  providerStates?: SnapshotOptions['providerStates']
  /** The serving Gateway's provider key pools (llmgw_provider_key_*). */
  providerKeys?: LiveStates['keys']
}

const labelsOf = (spec: Spec) => ({
  models: spec.models.map((m) => m.name),
  // models[].degrade answers count under provider="degraded" (compile/degrade.ts)
  providers: [...spec.providers.map((p) => p.name), ...(spec.models.some((m) => m.degrade) ? [DEGRADED_PROVIDER] : [])],
  keys: spec.keys.map((k) => k.id),
})

/**
 * The dashboard (ink) owns the terminal: an access log to stdout, or to stderr while that is the same TTY, would
 * scribble over it and is left out. A file, or stderr redirected away from the TTY, is written as without the dashboard.
 */
export function accessLogBesideDashboard(destination: string, stderrIsTTY: boolean): boolean {
  if (destination === 'stdout') return false
  if (destination === 'stderr') return !stderrIsTTY
  return true
}

/** Built once per app, not per reload: counters keep running across reloads (access-log destination changes need a restart). */
export function createAppObservability(spec: Spec, version: string, o: ObserveOptions): AppObservability {
  const metrics: Metrics | undefined = spec.observability.metrics ? createMetrics(labelsOf(spec), { ...(o.providerStates ? { breakers: o.providerStates } : {}), ...(o.providerKeys ? { keys: o.providerKeys } : {}) }) : undefined
  metrics?.setConfigVersion(version)
  const writeLog = o.accessLog && (!o.dashboard || accessLogBesideDashboard(spec.observability.accessLog.destination, process.stderr.isTTY === true))
  const log: AccessLog | null = writeLog ? createAccessLog(spec.observability.accessLog) : null
  const snapshot = o.dashboard
    ? createSnapshot({ models: spec.models.map((m) => m.name), version, ...(o.listenUrl ? { listenUrl: o.listenUrl } : {}), ...(o.specFile ? { specFile: o.specFile } : {}), ...(o.providerStates ? { providerStates: o.providerStates } : {}) })
    : undefined
  const parts = [metrics, log ?? undefined, snapshot].filter((x): x is NonNullable<typeof x> => x !== undefined)
  let observer: RequestObserver | undefined
  if (parts.length === 1) observer = parts[0]
  else if (parts.length > 1)
    observer = {
      onStart() {
        for (const p of parts) p.onStart()
      },
      onEnd(r: RequestRecord) {
        for (const p of parts) p.onEnd(r)
      },
    }
  return {
    observer,
    metricsText: metrics ? () => metrics.text() : undefined,
    snapshot,
    metrics,
    reloaded(r) {
      if (o.countReloads !== false) metrics?.reload(r.ok ? 'ok' : 'error')
      snapshot?.setReload(r.ok ? 'ok' : 'error', r.ok ? undefined : r.message)
      if (!r.ok) return
      metrics?.updateLabels(labelsOf(r.spec))
      metrics?.setConfigVersion(r.version)
      snapshot?.updateModels(r.spec.models.map((m) => m.name))
      snapshot?.setVersion(r.version)
    },
    async close() {
      await log?.close()
    },
  }
}
