/**
 * The async half of lint rule plugin-module (SPEC §3 rules[].type: plugin): each plugin module is imported in a worker
 * with the spec module time limit (module-loader.ts) and must export at least one hook. Runs at load and reload,
 * off the request path; a failure is a problem at the rule's `module:` line:col, and the running spec keeps serving.
 */
import type { LoadResult } from './check.js'
import { probePluginModule } from './module-loader.js'
import { formatPath, type Locator, type SpecProblem, sortProblems } from './problems.js'

export interface PluginCheckOptions {
  env?: NodeJS.ProcessEnv
  timeoutMs?: number
}

/** `locate` is asked for only when a module fails (building it may mean parsing the spec text again). */
export async function checkPluginModules(r: LoadResult, locate: () => Locator, opts: PluginCheckOptions = {}): Promise<LoadResult> {
  if (!r.ok) return r
  const plugins = r.spec.rules.flatMap((rule, i) => (rule.type === 'plugin' ? [{ rule, i }] : []))
  if (plugins.length === 0) return r
  const outcomes = await Promise.all(
    plugins.map(({ rule }) => probePluginModule(rule.module, rule.options, { ...(opts.env ? { env: opts.env } : {}), ...(opts.timeoutMs === undefined ? {} : { timeoutMs: opts.timeoutMs }) })),
  )
  const failed = outcomes.flatMap((o, n) => (o.ok ? [] : [{ o, i: plugins[n]!.i }]))
  if (failed.length === 0) return r
  const file = r.file ?? '<default>'
  const at = locate()
  const problems: SpecProblem[] = failed.map(({ o, i }) => {
    const path = ['rules', i, 'module']
    const rule = o.rule === 'module-timeout' ? 'module-timeout' : 'plugin-module'
    return { file, ...at(path), rule, severity: 'error', message: `${formatPath(path)}: ${o.message}` }
  })
  return { ok: false, file: r.file, problems: sortProblems([...r.warnings, ...problems]) }
}
