/**
 * Imports the plugin modules of a Plan (SPEC §3 rules[].type: plugin) on the main thread, off the request path. The
 * spec loader has already imported each one in a worker with the time limit and found its hooks
 * (spec/plugin-check.ts), so a module that hangs or exports nothing never gets here.
 */
import { createHash } from 'node:crypto'
import { readFile, rm } from 'node:fs/promises'
import { basename, extname } from 'node:path'
import { pathToFileURL } from 'node:url'
import { resolvePluginExports } from '../core/plugin-api.js'
import { transpileTs } from '../spec/transpile-ts.js'
import type { LoadedPlugin } from '../stages/plugin.js'
import type { RulePlan } from './plan.js'

// Node caches an ES module by URL for the life of the process. The query carries a hash of the file's bytes: an
// edited plugin gets a new URL (hot reload picks it up), an unchanged one the cached module (no new copy per reload).
// Each edit keeps its old module in memory until restart (ESM has no unload), a few KB per edit of a typical plugin.

/** Loaded plugins by rule index (undefined for other rule types). Throws an Error naming the module on failure. */
export async function loadPlugins(rules: readonly RulePlan[]): Promise<(LoadedPlugin | undefined)[]> {
  return Promise.all(
    rules.map(async (rule) => {
      if (rule.type !== 'plugin') return undefined
      let mod: Record<string, unknown>
      try {
        const hash = createHash('sha256').update(await readFile(rule.module)).digest('hex').slice(0, 16)
        mod = extname(rule.module).toLowerCase() === '.ts' ? await importTs(rule.module, hash) : ((await import(`${pathToFileURL(rule.module).href}?v=${hash}`)) as Record<string, unknown>)
      } catch (e) {
        throw new Error(`plugin ${rule.module} failed to load: ${e instanceof Error ? e.message : String(e)}`, { cause: e })
      }
      let plugin
      try {
        plugin = await resolvePluginExports(mod, structuredClone(rule.options) as Record<string, unknown>)
      } catch (e) {
        throw new Error(`plugin ${rule.module} cannot be used: ${e instanceof Error ? e.message : String(e)}`, { cause: e })
      }
      const name = rule.name ?? plugin.name ?? basename(rule.module, extname(rule.module))
      return { name, plugin }
    }),
  )
}

/** A .ts plugin: transpiled beside itself (its relative imports resolve), imported, the transpiled file removed. */
async function importTs(file: string, hash: string): Promise<Record<string, unknown>> {
  const compiled = `${file}.${hash}.${process.pid}.mjs`
  try {
    const out = await transpileTs(file, compiled, 'plugin')
    if (typeof out !== 'string') throw new Error(out.kind === 'error' ? out.message : 'it did not transpile')
    return (await import(pathToFileURL(out).href)) as Record<string, unknown>
  } finally {
    await rm(compiled, { force: true })
  }
}

/** Request header names the loaded plugins read (Plugin.headers), lower-case, each once. */
export function pluginHeaderNames(plugins: readonly (LoadedPlugin | undefined)[]): string[] {
  return [...new Set(plugins.flatMap((p) => (p?.plugin.headers ?? []).map((h) => h.toLowerCase())))]
}
