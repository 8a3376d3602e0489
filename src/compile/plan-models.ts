/** Plan slices for models, rules and experiments (SPEC §3 models, rules, experiments): chains, retry, cache, which rules apply. */
import { compileGlobs, isGlob } from '../core/glob.js'
import type { ExperimentSpec, ModelSpec, RuleSpec, Spec } from '../spec/schema.js'
import { denyHeaderNames } from '../stages/deny.js'
import { experimentHeaderNames } from '../stages/experiment.js'
import { formatIdentity } from './identity.js'
import type { ExperimentPlan, ModelPlan, ModelRulePlan, RetryPlan, RulePlan } from './plan.js'

const NO_RETRY: RetryPlan = { attempts: 1, backoffMs: 0, statuses: [], on5xx: false, on4xx: false, onTimeout: false, onConnect: false }
/** Always copied: credentials (auth) and trace context (observe/tracing.ts). */
const BASE_HEADERS = ['authorization', 'x-api-key', 'traceparent', 'tracestate']

export function planModels(spec: Spec): ModelPlan[] {
  const byName = new Map(spec.models.map((m) => [m.name, m]))
  return spec.models.map((m) => planModel(m, byName, spec.rules))
}

function planModel(m: ModelSpec, byName: ReadonlyMap<string, ModelSpec>, rules: readonly RuleSpec[]): ModelPlan {
  const r = m.retry
  const retry: RetryPlan = r
    ? {
        attempts: r.attempts,
        backoffMs: r.backoff,
        statuses: r.on.filter((o): o is number => typeof o === 'number'),
        on5xx: r.on.includes('5xx'),
        on4xx: r.on.includes('4xx'),
        onTimeout: r.on.includes('timeout'),
        onConnect: r.on.includes('connect'),
      }
    : NO_RETRY
  const targets = m.targets.map((t) => ({ provider: t.provider, model: t.model, weight: t.weight }))
  const glob = isGlob(m.name)
  return {
    name: m.name,
    isGlob: glob,
    targets,
    strategy: m.strategy,
    retry,
    chain: expandChain(m.name, byName),
    timeoutMs: m.timeout,
    pricing: m.pricing ? { input: m.pricing.input, output: m.pricing.output } : undefined,
    cache: m.cache ? { ttlMs: m.cache.ttl, staleMs: m.degrade?.stale ? m.degrade.staleFor : 0, identity: formatIdentity(`cache:${m.name}`, { ttl: m.cache.ttl, targets: targets.map((t) => [t.provider, t.model]) }) } : undefined,
    context: m.context ? { maxInputTokens: m.context.maxInputTokens, strategy: m.context.strategy } : undefined,
    rules: rules.flatMap((rule, i) => modelRule(rule, i, m.name, glob)),
    degrade: m.degrade ? { message: m.degrade.message, stale: m.degrade.stale, staleForMs: m.degrade.staleFor } : undefined,
  }
}

/**
 * Whether rule `i` applies to model `name`: decided here for exact names; a glob model keeps the rule's `models`
 * globs, matched per request against the client's model name. A deny rule's `when.model` is decided the same way.
 */
function modelRule(rule: RuleSpec, i: number, name: string, glob: boolean): ModelRulePlan[] {
  const models = rule.type === 'deny' ? (rule.when.model === undefined ? undefined : [rule.when.model]) : rule.models
  if (models === undefined || glob) return [{ rule: i, models: rule.type === 'deny' || models === undefined ? undefined : [...models] }]
  return compileGlobs(models)(name) ? [{ rule: i, models: undefined }] : []
}

/** Depth-first over `fallback`, skipping names already in the chain (cycles) and names that are no model (lint reports those). */
function expandChain(start: string, byName: ReadonlyMap<string, ModelSpec>): string[] {
  const chain: string[] = []
  const visit = (name: string): void => {
    const m = byName.get(name)
    if (!m || chain.includes(name)) return
    chain.push(name)
    for (const f of m.fallback) visit(f)
  }
  visit(start)
  return chain
}

export function planRules(rules: readonly RuleSpec[]): RulePlan[] {
  return rules.map((r): RulePlan => {
    if (r.type === 'deny') return { type: 'deny', when: { ...r.when, ...(r.when.header ? { header: { ...r.when.header } } : {}) }, message: r.message }
    if (r.type === 'system-prompt') return { type: 'system-prompt', text: r.text, mode: r.mode }
    if (r.type === 'plugin') return { type: 'plugin', name: r.name, module: r.module, options: structuredClone(r.options) }
    return { type: 'content-filter', words: [...(r.words ?? [])], wordsFile: r.wordsFile, action: r.action, scope: [...r.scope] }
  })
}

export function planExperiments(experiments: readonly ExperimentSpec[]): ExperimentPlan[] {
  return experiments.map((e) => ({
    name: e.name,
    model: e.model,
    identity: formatIdentity(`experiment:${e.name}`, e),
    split: {
      name: e.name,
      stickyBy: e.stickyBy,
      variants: e.variants.map((v) => ({ name: v.name, weight: v.weight, hasTarget: v.target !== undefined })),
      ...(e.rollback
        ? { rollback: { ...(e.rollback.maxErrorRate === undefined ? {} : { maxErrorRate: e.rollback.maxErrorRate }), ...(e.rollback.maxP95 === undefined ? {} : { maxP95Ms: e.rollback.maxP95 }), minRequests: e.rollback.minRequests, windowMs: e.rollback.window } }
        : {}),
    },
    targets: e.variants.map((v) => (v.target ? { provider: v.target.provider, model: v.target.model, weight: 1 } : undefined)),
  }))
}

/** Lower case, each once, in a stable order: base, cache-control (any cached model), deny rule headers, sticky headers. */
export function planHeaderNames(spec: Spec, models: readonly ModelPlan[]): string[] {
  const names = [
    ...BASE_HEADERS,
    ...(models.some((m) => m.cache) ? ['cache-control'] : []),
    ...spec.rules.flatMap((r) => (r.type === 'deny' ? denyHeaderNames(r) : [])),
    ...spec.experiments.flatMap((e) => experimentHeaderNames({ name: e.name, stickyBy: e.stickyBy, variants: [] })),
  ]
  return [...new Set(names.map((h) => h.toLowerCase()))]
}
