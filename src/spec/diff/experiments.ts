/** Semantic diff of `experiments` (SPEC §3): identity by name, variants by name; every traffic shift is risky. */
import type { ExperimentSpec } from '../schema.js'
import { ChangeList } from './change-list.js'

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
