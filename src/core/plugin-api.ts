/**
 * The plugin hook API (SPEC §3 rules[].type: plugin, issue 12), published as `llmgw/plugin`. A plugin module
 * exports a Plugin, or a setup function that takes the rule's `options` and returns one (sync or async):
 *
 *   import { definePlugin } from 'llmgw/plugin'            // optional: types only, definePlugin returns its argument
 *   export default definePlugin((options) => ({ name: 'tag', onRequest(ctx) { ctx.body.user = options.user } }))
 *
 * Hooks run on the request path, so keep them quick: onRequest and onEnd may return a promise; onResponse and
 * onChunk must answer synchronously (they run per answer and per streamed event).
 */

/** The client endpoint a request came in on. */
export type PluginEndpoint = 'chat' | 'completions' | 'embeddings' | 'messages' | 'responses'

/** Token usage in OpenAI's names. */
export interface PluginUsage {
  prompt_tokens: number
  completion_tokens: number
  total_tokens: number
}

/** One request as a plugin sees it; the same object is passed to every hook of this plugin for this request. */
export interface PluginContext {
  /** x-request-id. */
  readonly requestId: string
  readonly endpoint: PluginEndpoint
  /** The public model the client asked for. */
  readonly model: string
  readonly stream: boolean
  /** keys[].id of the caller; undefined for anonymous callers. */
  readonly keyId: string | undefined
  readonly ip: string
  /**
   * Request headers, lower-case: authorization-free names the gateway copies anyway (traceparent...) and the names
   * the plugin lists in `headers`. Credentials (authorization, x-api-key) are never shown.
   */
  readonly headers: Readonly<Record<string, string | undefined>>
  /** The request body in OpenAI's chat shape (Anthropic and Responses requests are translated to it). Yours to edit. */
  body: Record<string, unknown>
  /** Free per-request storage shared by this plugin's hooks (e.g. counts for onEnd). */
  readonly state: Record<string, unknown>
}

/**
 * A refusal with a SPEC error code (SPEC §4): `{ code: 'request_denied', message: '...' }`. The status comes from the
 * code (request_denied, content_filtered, invalid_request: 400; model_not_allowed: 403; rate_limit_exceeded: 429...);
 * a `status` given with it must match that. Return it or throw it.
 */
export interface PluginRejection {
  readonly code: string
  readonly message: string
  readonly status?: number
}

/** What onRequest may return besides nothing (edits made to ctx.body in place count as well). */
export interface PluginRequestChange {
  /** A new request body (replaces ctx.body). */
  readonly body?: Record<string, unknown>
  /** Headers added to every upstream attempt of this request. */
  readonly headers?: Readonly<Record<string, string>>
  /** Serve the request from another public model of the spec (the caller's key must allow it). */
  readonly model?: string
}

type Maybe<T> = T | Promise<T>

export interface Plugin {
  /** Shown in logs, errors and `llmgw profile` (stage plugin:<name>); default: the rule's name, else the file name. */
  readonly name?: string
  /** Request headers the plugin reads (they are copied into ctx.headers). */
  readonly headers?: readonly string[]
  /** Before the request goes upstream: edit ctx.body, return a change, or reject. */
  onRequest?(ctx: PluginContext): Maybe<void | PluginRequestChange | PluginRejection>
  /** A whole (non-streamed) answer, parsed JSON in the client's wire format: edit it in place or return a new one. */
  onResponse?(ctx: PluginContext, body: Record<string, unknown>): void | Record<string, unknown>
  /**
   * One streamed event's JSON (chat.completion.chunk on /v1/chat/completions, the Anthropic or Responses event on
   * those endpoints): edit it in place, return a new one, or return null to drop the event.
   */
  onChunk?(ctx: PluginContext, chunk: Record<string, unknown>): void | null | Record<string, unknown>
  /** The request is over (answered, failed or abandoned): its usage when an upstream reported one, and its status. */
  onEnd?(ctx: PluginContext, usage: PluginUsage | undefined, end: { readonly status: number; readonly errorCode: string | undefined }): Maybe<void>
}

/** A plugin module's default export: the plugin, or its setup function taking the rule's `options`. */
export type PluginSetup = (options: Record<string, unknown>) => Maybe<Plugin>

/** The hook names, in the order they run. */
export const PLUGIN_HOOKS = ['onRequest', 'onResponse', 'onChunk', 'onEnd'] as const

/** Returns its argument: only there so editors type-check a plugin written in JS or TS. */
export function definePlugin<T extends Plugin | PluginSetup>(plugin: T): T {
  return plugin
}

/**
 * A plugin module's exports as a Plugin (used where the module is probed and where it is loaded, so both agree): a
 * default setup function called with `options`, else the default export, else the named exports. Throws an Error
 * saying what is wrong when no hook is there, a hook is not a function, or `headers`/`name` have the wrong type.
 */
export async function resolvePluginExports(mod: Record<string, unknown>, options: Record<string, unknown>): Promise<Plugin> {
  const def = mod.default
  let p: unknown = typeof def === 'function' ? await (def as PluginSetup)(options) : (def ?? { ...mod })
  if (typeof def === 'function' && (p === null || typeof p !== 'object')) throw new Error(`its setup function returned ${p === null ? 'null' : typeof p}, not a plugin object with hooks`)
  if (p === null || typeof p !== 'object') throw new Error(`its default export is ${typeof p}, not a plugin object or a setup function`)
  // a default export without hooks, beside named hook exports (export function onRequest ...; export default {...})
  if (def !== undefined && typeof def !== 'function' && !PLUGIN_HOOKS.some((h) => h in (p as object)) && PLUGIN_HOOKS.some((h) => typeof mod[h] === 'function')) p = { ...mod }
  const o = p as Record<string, unknown>
  for (const h of PLUGIN_HOOKS) if (o[h] !== undefined && typeof o[h] !== 'function') throw new Error(`its ${h} is ${typeof o[h]}, not a function`)
  if (!PLUGIN_HOOKS.some((h) => typeof o[h] === 'function')) throw new Error(`it exports no hook: export ${PLUGIN_HOOKS.join(', ')} (any of them), or a default setup function returning them`)
  if (o.name !== undefined && typeof o.name !== 'string') throw new Error(`its name is ${typeof o.name}, not a string`)
  if (o.headers !== undefined && (!Array.isArray(o.headers) || !o.headers.every((h) => typeof h === 'string' && /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(h))))
    throw new Error('its headers must be a list of header names')
  return o as Plugin
}
