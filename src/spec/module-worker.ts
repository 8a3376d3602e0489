/** Worker thread entry of module-loader.ts: evaluates one .js/.mjs/.cjs/.ts spec and posts its export back as plain data. */
import { pathToFileURL } from 'node:url'
import { parentPort, workerData } from 'node:worker_threads'
import type { ModuleJob, PluginProbe, WorkerReply } from './module-loader.js'

// Runs only inside the worker module-loader.ts starts for one load, and is terminated after it: nothing here may
// assume it can clean up (a spec that never finishes is cut off mid-import). The loader removes compiledFile itself.

const job = workerData as ModuleJob
const reply = (r: WorkerReply): void => parentPort?.postMessage(r)

try {
  // typescript only for .ts files: a .mjs spec's load pays for nothing it does not use
  const target = job.compiledFile === undefined ? job.file : await (await import('./transpile-ts.js')).transpileTs(job.file, job.compiledFile, job.kind === 'plugin' ? 'plugin' : 'spec')
  if (typeof target !== 'string') reply(target)
  else if (job.kind === 'plugin') await probePlugin(target, job.options ?? {})
  else {
    const mod = (await import(pathToFileURL(target).href)) as Record<string, unknown>
    // As before the worker: the default export (module.exports for CommonJS), else the named exports.
    const value = mod.default ?? { ...mod }
    if (typeof value === 'function') {
      reply({ kind: 'error', rule: 'module-export', message: 'the spec module exports a function, not the spec: export the spec object itself (plain data)' })
    } else {
      try {
        reply({ kind: 'ok', value })
      } catch (e) {
        const where = nonData(value, '', new Set())
        const message = where
          ? `the spec module's export holds ${where.what} at ${where.path}: a spec is plain data (objects, arrays, strings, numbers, booleans, dates)`
          : `the spec module's export is not plain data: ${messageOf(e)}`
        reply({ kind: 'error', rule: 'module-export', message })
      }
    }
  }
} catch (e) {
  const code = (e as { code?: unknown }).code
  reply({
    kind: 'error',
    rule: e instanceof SyntaxError ? 'module-syntax' : 'module-error',
    message: `the ${job.kind === 'plugin' ? `plugin module ${job.file}` : 'spec module'} failed to load: ${messageOf(e)}${job.kind === 'plugin' ? at(e, job.file) : ''}`,
    ...(typeof code === 'string' ? { code } : {}),
    ...(job.kind === 'plugin' ? {} : locate(e, job.compiledFile === undefined ? job.file : undefined)),
  })
}

/** A plugin module: import it, run its setup with the rule's options, report its hooks (or why it has none). */
async function probePlugin(file: string, options: Record<string, unknown>): Promise<void> {
  // imported here, not at the top: a spec module's load (400 ms limits in tests, cold CI) pays nothing for plugins
  const { PLUGIN_HOOKS, resolvePluginExports } = await import('../core/plugin-api.js')
  const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>
  let plugin
  try {
    plugin = await resolvePluginExports(mod, options)
  } catch (e) {
    return reply({ kind: 'error', rule: 'plugin-module', message: `the plugin module ${file} cannot be used: ${messageOf(e)}` })
  }
  const probe: PluginProbe = { hooks: PLUGIN_HOOKS.filter((h) => typeof plugin[h] === 'function'), name: plugin.name, headers: [...(plugin.headers ?? [])] }
  reply({ kind: 'ok', value: probe })
}

/** Where a structured clone would fail: the first function, symbol, promise or other non-data value, by path. */
function nonData(v: unknown, path: string, seen: Set<object>): { path: string; what: string } | undefined {
  const at = path === '' ? '(the export itself)' : path
  if (typeof v === 'function') return { path: at, what: 'a function' }
  if (typeof v === 'symbol') return { path: at, what: 'a symbol' }
  if (v === null || typeof v !== 'object' || seen.has(v)) return undefined
  seen.add(v)
  if (v instanceof Promise) return { path: at, what: 'a Promise' }
  if (v instanceof WeakMap || v instanceof WeakSet) return { path: at, what: `a ${v.constructor.name}` }
  const entries: Array<[string, unknown]> = Array.isArray(v)
    ? v.map((x, i) => [`${path}[${i}]`, x])
    : v instanceof Map
      ? [...v.entries()].map(([k, x]) => [`${path}.get(${String(k)})`, x])
      : v instanceof Set
        ? [...v].map((x, i) => [`${path}{${i}}`, x])
        : Object.keys(v).map((k) => [path === '' ? k : `${path}.${k}`, (v as Record<string, unknown>)[k]])
  for (const [p, x] of entries) {
    const found = nonData(x, p, seen)
    if (found) return found
  }
  return undefined
}

/** file:line:col of the spec file in an error's stack (a throw at top level; CommonJS syntax errors name the line). */
function locate(e: unknown, file: string | undefined): { line?: number; col?: number } {
  const stack = e instanceof Error ? (e.stack ?? '') : ''
  if (file === undefined || stack === '') return {}
  for (const name of [pathToFileURL(file).href, file]) {
    const m = new RegExp(`${escapeRegExp(name)}:(\\d+)(?::(\\d+))?`).exec(stack)
    if (m) return { line: Number(m[1]), ...(m[2] === undefined ? {} : { col: Number(m[2]) }) }
  }
  return {}
}

/** " (line L:C)" of a plugin file in an error's stack: the problem itself points at the spec's `module:`. */
function at(e: unknown, file: string): string {
  const p = locate(e, file)
  return p.line === undefined ? '' : ` (${file}:${p.line}${p.col === undefined ? '' : `:${p.col}`})`
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

function messageOf(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0] ?? ''
}
