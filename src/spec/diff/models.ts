/** Semantic diff of traffic routing (SPEC §3 `models`, `experiments`): identity by name, targets by provider/model. */
import type { ExperimentSpec, ModelSpec, TargetSpec } from '../schema.js'
import { ChangeList, formatValue, isSame } from './change-list.js'

const targetId = (t: TargetSpec): string => `${t.provider}/${t.model}`

function describeModel(m: ModelSpec): string {
  return `${m.strategy}: ${m.targets.map(targetId).join(', ')}`
}

/** "90%" of the model's weighted traffic, or undefined when the strategy does not use weights. */
function share(m: ModelSpec, t: TargetSpec): string {
  const total = m.targets.reduce((sum, x) => sum + Math.max(0, x.weight), 0)
  return total > 0 ? `${Math.round((Math.max(0, t.weight) / total) * 1000) / 10}%` : '0%'
}

export function diffModels(c: ChangeList, olds: readonly ModelSpec[], news: readonly ModelSpec[]): void {
  c.keyed('models', olds, news, (m) => m.name, {
    added: (path, m) => c.add({ path, kind: 'added', after: describeModel(m), class: 'safe', note: 'new model: clients can start using it' }),
    removed: (path, m) =>
      c.add({ path, kind: 'removed', before: describeModel(m), class: 'breaking', note: 'clients sending this model now get 404 model_not_found' }),
    both: (path, a, b) => diffModel(c, path, a, b),
  })
}

function diffModel(c: ChangeList, path: string, a: ModelSpec, b: ModelSpec): void {
  c.value(`${path}.strategy`, a.strategy, b.strategy, { class: 'risky', note: 'targets are picked differently' })
  diffTargets(c, path, a, b)
  c.value(`${path}.fallback`, a.fallback, b.fallback, {
    class: 'risky',
    note: (x, y) => ((y ?? []).length === 0 ? 'no fallback any more: failures reach clients' : 'fallback chain changed'),
  })
  c.fields(`${path}.retry`, a.retry, b.retry, {
    added: { class: 'risky', note: 'failed attempts are now retried (more upstream load)' },
    removed: { class: 'risky', note: 'default retry policy applies' },
    rules: {
      attempts: { class: 'risky', note: (x, y) => ((y ?? 0) < (x ?? 0) ? 'fewer retries: more errors reach clients' : 'more retries: more upstream load') },
      backoff: { class: 'safe', unit: 'ms', note: 'retry backoff changed' },
      on: { class: 'risky', note: 'retried failure kinds changed' },
    },
  })
  c.value(`${path}.timeout`, a.timeout, b.timeout, {
    class: 'risky',
    unit: 'ms',
    note: (x, y) =>
      y === undefined ? 'the provider timeout applies' : x === undefined || y > x ? 'timeout raised: slow upstream calls hold connections longer' : 'timeout lowered: slower requests now time out (504)',
  })
  c.fields(`${path}.cache`, a.cache, b.cache, {
    added: { class: 'risky', note: 'responses may now be served from cache' },
    removed: { class: 'risky', note: 'cache off: every request goes upstream (load, cost)' },
    rules: { ttl: { class: 'safe', unit: 'ms', note: 'cache ttl changed' } },
  })
  c.fields(`${path}.degrade`, a.degrade, b.degrade, {
    added: { class: 'risky', note: 'failures are now answered with a degraded 200 answer instead of the error' },
    removed: { class: 'risky', note: 'no degraded answers: failures reach clients as errors' },
    rules: {
      message: { class: 'safe', note: 'static degraded answer changed' },
      stale: { class: 'risky', note: (_x, y) => (y === true ? 'failures may now be answered with an expired cached answer' : 'no stale answers any more') },
      staleFor: { class: 'safe', unit: 'ms', note: 'cached answers kept for stale answers for a different time' },
    },
  })
  c.fields(`${path}.context`, a.context, b.context, {
    added: { class: 'risky', note: 'long prompts are now trimmed (oldest messages dropped)' },
    removed: { class: 'risky', note: 'prompts are no longer trimmed; long ones may hit upstream context errors' },
    rules: { maxInputTokens: { bound: { what: 'input token window', tightened: 'risky', loosened: 'safe' } }, strategy: { class: 'risky', note: 'trim strategy changed' } },
  })
  c.fields(`${path}.pricing`, a.pricing, b.pricing, {
    added: { class: 'risky', note: 'requests now cost against budgets' },
    removed: { class: 'safe', note: 'requests no longer cost against budgets' },
    rules: {
      input: { class: (x, y) => ((y ?? 0) > (x ?? 0) ? 'risky' : 'safe'), note: (x, y) => ((y ?? 0) > (x ?? 0) ? 'price raised: budgets run out sooner' : 'price lowered') },
      output: { class: (x, y) => ((y ?? 0) > (x ?? 0) ? 'risky' : 'safe'), note: (x, y) => ((y ?? 0) > (x ?? 0) ? 'price raised: budgets run out sooner' : 'price lowered') },
    },
  })
}

function diffTargets(c: ChangeList, path: string, a: ModelSpec, b: ModelSpec): void {
  // Order only matters to `priority` (first healthy target wins); elsewhere a reordering is no change.
  if (b.strategy === 'priority') {
    const before = a.targets.map(targetId)
    const after = b.targets.map(targetId)
    const common = (ids: string[], other: string[]) => ids.filter((id) => other.includes(id))
    if (!isSame(common(before, after), common(after, before)))
      c.add({ path: `${path}.targets`, kind: 'changed', before: formatValue(before), after: formatValue(after), class: 'risky', note: 'priority order changed: a different target is tried first' })
  }
  const weighted = b.strategy === 'weighted'
  c.keyed(`${path}.targets`, a.targets, b.targets, targetId, {
    added: (p, t) => c.add({ path: p, kind: 'added', after: weighted ? `weight ${t.weight} (${share(b, t)})` : undefined, class: 'risky', note: `traffic now also goes to ${targetId(t)}` }),
    removed: (p, t) => c.add({ path: p, kind: 'removed', before: weighted && a.strategy === 'weighted' ? `weight ${t.weight} (${share(a, t)})` : undefined, class: 'risky', note: `no traffic goes to ${targetId(t)} any more` }),
    both: (p, x, y) => {
      const shifted = weighted && share(a, x) !== share(b, y)
      if (x.weight === y.weight && !shifted) return
      c.add({
        path: `${p}.weight`,
        kind: 'changed',
        before: weighted ? `${x.weight} (${share(a, x)})` : String(x.weight),
        after: weighted ? `${y.weight} (${share(b, y)})` : String(y.weight),
        class: weighted ? 'risky' : 'safe',
        note: weighted ? `traffic share ${share(a, x)} -> ${share(b, y)}` : `weights are unused by strategy ${b.strategy}`,
      })
    },
  })
}

type Variant = ExperimentSpec['variants'][number]

function split(e: ExperimentSpec): string {
  const total = e.variants.reduce((s, v) => s + Math.max(0, v.weight), 0)
  return e.variants.map((v) => `${v.name} ${total > 0 ? Math.round((Math.max(0, v.weight) / total) * 1000) / 10 : 0}%`).join(', ')
}

export function diffExperiments(c: ChangeList, olds: readonly ExperimentSpec[], news: readonly ExperimentSpec[]): void {
  c.keyed('experiments', olds, news, (e) => e.name, {
    added: (path, e) => c.add({ path, kind: 'added', after: `${e.model}: ${split(e)}`, class: 'risky', note: `part of ${e.model} traffic now goes to experiment variants` }),
    removed: (path, e) => c.add({ path, kind: 'removed', before: `${e.model}: ${split(e)}`, class: 'risky', note: `all ${e.model} traffic returns to the model's own targets` }),
    both: (path, a, b) => {
      c.value(`${path}.model`, a.model, b.model, { class: 'risky', note: 'experiment moved to another model' })
      c.value(`${path}.stickyBy`, a.stickyBy, b.stickyBy, { class: 'risky', note: 'users are re-bucketed into variants' })
      if (split(a) !== split(b)) c.add({ path: `${path}.variants`, kind: 'changed', before: split(a), after: split(b), class: 'risky', note: 'traffic split shifted' })
      c.keyed<Variant>(`${path}.variants`, a.variants, b.variants, (v) => v.name, {
        added: () => {}, // covered by the split row above
        removed: () => {},
        both: (p, x, y) => c.value(`${p}.target`, x.target && `${x.target.provider}/${x.target.model}`, y.target && `${y.target.provider}/${y.target.model}`, { class: 'risky', note: 'variant traffic goes to another target' }),
      })
      c.fields(`${path}.rollback`, a.rollback, b.rollback, {
        added: { class: 'safe', note: 'automatic rollback on' },
        removed: { class: 'risky', note: 'automatic rollback off: a bad variant keeps its traffic' },
        rules: {
          maxErrorRate: { class: (x, y) => (y === undefined || (x !== undefined && y > x) ? 'risky' : 'safe'), note: 'rollback error threshold changed' },
          maxP95: { class: (x, y) => (y === undefined || (x !== undefined && y > x) ? 'risky' : 'safe'), unit: 'ms', note: 'rollback latency threshold changed' },
          minRequests: { class: 'safe', note: 'rollback sample size changed' },
          window: { class: 'safe', unit: 'ms', note: 'rollback window changed' },
        },
      })
    },
  })
}
