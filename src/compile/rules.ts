/** SPEC §3 `rules` (plugins included) and models[].context, compiled from the Plan into request guards and one response filter per model. */
import { readFileSync } from 'node:fs'
import { compileGlobs } from '../core/glob.js'
import type { GatewayError } from '../core/errors.js'
import type { Guard } from '../core/pipeline.js'
import { compileRequestFilter, compileResponseFilter, parseWordsFile, type ResponseFilter } from '../stages/content-filter.js'
import { compileContextTrim } from '../stages/context-trim.js'
import { compileDeny } from '../stages/deny.js'
import { compilePlugin, type LoadedPlugin, type PluginDeps } from '../stages/plugin.js'
import { compileSystemPrompt } from '../stages/system-prompt.js'
import { countTokens } from './estimate.js'
import type { ModelPlan, RulePlan } from './plan.js'

export interface ModelRules {
  /** Request guards in spec order, then context trimming (so it counts an injected system prompt too). */
  readonly guards: readonly Guard[]
  /** Response-scope content filters composed in order; null when none apply to this model. */
  readonly response: ModelResponseFilter | null
}

/** A response filter for one model; `model` is the client's model name (glob models decide per request). */
export type ModelResponseFilter = (text: string, model: string) => string | GatewayError

/** The loaded plugin modules, by rule index (compile/plugin-load.ts), and what each plugin stage needs. */
export interface RulePlugins {
  readonly loaded: readonly (LoadedPlugin | undefined)[]
  readonly deps: (p: LoadedPlugin) => PluginDeps
}

type RuleParts = { readonly guard: Guard | null; readonly response: ResponseFilter | null }

/**
 * Once per rule, not per model: a words file is read once and a word pattern compiled once (a content filter or a
 * system prompt holds no per-model state). Deny rules depend on the model's name and are compiled per model.
 */
export function compileRules(rules: readonly RulePlan[], plugins?: RulePlugins): (m: ModelPlan) => ModelRules {
  const parts = rules.map((rule, i): RuleParts | undefined => {
    if (rule.type === 'deny') return undefined
    if (rule.type === 'system-prompt') return { guard: compileSystemPrompt(rule), response: null }
    if (rule.type === 'plugin') {
      const loaded = plugins?.loaded[i]
      if (loaded === undefined) throw new Error(`rules[${i}]: the plugin ${rule.module} was not loaded (compile/plugin-load.ts loadPlugins)`)
      return { guard: compilePlugin(loaded, plugins!.deps(loaded)), response: null }
    }
    const words = [...rule.words, ...(rule.wordsFile ? parseWordsFile(readFileSync(rule.wordsFile, 'utf8')) : [])]
    const filter = { words, action: rule.action, scope: rule.scope }
    return { guard: compileRequestFilter(filter), response: compileResponseFilter(filter) }
  })
  return (m) => {
    const guards: Guard[] = []
    const responses: ModelResponseFilter[] = []
    for (const { rule: i, models } of m.rules) {
      const rule = rules[i]!
      if (rule.type === 'deny') {
        const g = compileDeny(rule, m.isGlob ? undefined : m.name)
        if (g) guards.push(g)
        continue
      }
      const { guard, response: r } = parts[i]!
      const applies: Applies = models === undefined ? true : compileGlobs(models)
      if (guard) guards.push(scoped(applies, guard))
      if (r) responses.push(applies === true ? (text) => r(text) : (text, model) => (applies(model) ? r(text) : text))
    }
    if (m.context) guards.push(compileContextTrim(m.context, countTokens))
    return { guards, response: composeResponse(responses) }
  }
}

type Applies = true | ((model: string) => boolean)

function scoped(applies: Applies, g: Guard): Guard {
  if (applies === true) return g
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
