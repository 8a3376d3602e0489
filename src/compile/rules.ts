/** SPEC §3 `rules` and models[].context, compiled per model into request guards and one response filter. */
import { readFileSync } from 'node:fs'
import { compileGlobs } from '../core/glob.js'
import type { GatewayError } from '../core/errors.js'
import type { Guard } from '../core/pipeline.js'
import type { RuleSpec, Spec } from '../spec/schema.js'
import { compileRequestFilter, compileResponseFilter, parseWordsFile } from '../stages/content-filter.js'
import { compileContextTrim } from '../stages/context-trim.js'
import { compileDeny, denyHeaderNames } from '../stages/deny.js'
import { compileSystemPrompt } from '../stages/system-prompt.js'
import { countTokens } from './estimate.js'
import type { ModelPlan } from './plan.js'

export interface ModelRules {
  /** Request guards in spec order, then context trimming (so it counts an injected system prompt too). */
  readonly guards: readonly Guard[]
  /** Response-scope content filters composed in order; null when none apply to this model. */
  readonly response: ModelResponseFilter | null
}

/** Header names the rules read (deny `when.header`). */
export function ruleHeaderNames(spec: Spec): string[] {
  return spec.rules.flatMap((r) => (r.type === 'deny' ? denyHeaderNames(r) : []))
}

/** A response filter for one model; `model` is the client's model name (glob models decide per request). */
export type ModelResponseFilter = (text: string, model: string) => string | GatewayError

export function compileModelRules(spec: Spec, m: ModelPlan): ModelRules {
  const guards: Guard[] = []
  const responses: ModelResponseFilter[] = []
  for (const rule of spec.rules) {
    if (rule.type === 'deny') {
      const g = compileDeny(rule, m.isGlob ? undefined : m.name)
      if (g) guards.push(g)
      continue
    }
    const applies = appliesTo(rule, m)
    if (applies === false) continue
    if (rule.type === 'system-prompt') guards.push(scoped(applies, compileSystemPrompt(rule)))
    else {
      const words = [...(rule.words ?? []), ...(rule.wordsFile ? parseWordsFile(readFileSync(rule.wordsFile, 'utf8')) : [])]
      const filter = { words, action: rule.action, scope: rule.scope }
      const g = compileRequestFilter(filter)
      if (g) guards.push(scoped(applies, g))
      const r = compileResponseFilter(filter)
      if (r) responses.push(applies === true ? (text) => r(text) : (text, model) => (applies(model) ? r(text) : text))
    }
  }
  if (m.spec.context) guards.push(compileContextTrim(m.spec.context, countTokens))
  return { guards, response: composeResponse(responses) }
}

type Applies = true | false | ((model: string) => boolean)

/** Whether a rule with `models` globs applies: decided at compile time for exact model names, at run time for glob models. */
function appliesTo(rule: Exclude<RuleSpec, { type: 'deny' }>, m: ModelPlan): Applies {
  if (rule.models === undefined) return true
  const match = compileGlobs(rule.models)
  if (!m.isGlob) return match(m.name)
  return match
}

function scoped(applies: Applies, g: Guard): Guard {
  if (applies === true || applies === false) return g
  return (cx) => (applies(cx.model) ? g(cx) : undefined)
}

function composeResponse(filters: ModelResponseFilter[]): ModelResponseFilter | null {
  if (filters.length === 0) return null
  if (filters.length === 1) return filters[0]!
  return (text, model) => {
    let t = text
    for (const f of filters) {
      const r = f(t, model)
      if (typeof r !== 'string') return r
      t = r
    }
    return t
  }
}
