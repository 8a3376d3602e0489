/**
 * A plugin rule's request side (SPEC §3 rules[].type: plugin, issue 12): per request it builds the PluginContext,
 * runs onRequest (edit, re-route, add upstream headers, or reject with a SPEC code), registers the plugin for the
 * response hooks (plugin-response.ts) and onEnd. A hook that throws costs that request a 500 plugin_error and one
 * log line, nothing more.
 */
import { ERROR_CODES, type ErrorCode } from '../core/error-codes.js'
import { GatewayError } from '../core/errors.js'
import type { Plugin, PluginContext, PluginEndpoint, PluginRejection, PluginRequestChange } from '../core/plugin-api.js'
import type { ActivePlugin, CallContext, Guard } from '../core/pipeline.js'
import { isPromise, timed } from '../core/sync.js'
import type { Exchange } from '../core/types.js'

/** A loaded plugin (compile/plugin-load.ts): the module's hooks and the name it goes by. */
export interface LoadedPlugin {
  readonly name: string
  readonly plugin: Plugin
}

export interface PluginDeps {
  /** Internal errors with their request, for the log (one line per failure). */
  readonly onError: ((err: unknown, ex: Exchange) => void) | undefined
  /** Adds one timing of this plugin's hooks (stage plugin:<name>) when profiling; undefined = not timed. */
  readonly time: ((ns: number) => void) | undefined
  /** Whether a public model of the spec answers to this name (a re-route must name one). */
  readonly isModel: (name: string) => boolean
  /** How long an async onRequest may take (server.requestTimeout): one that never settles must not hold the request. */
  readonly timeoutMs: number
}

/** Headers a plugin may not set upstream: the framing and routing of the upstream request, and its own id. */
const RESERVED = new Set(['host', 'content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'te', 'trailer', 'x-request-id'])

/** Never shown to plugins: credentials. */
const HIDDEN = new Set(['authorization', 'x-api-key'])

export function compilePlugin(p: LoadedPlugin, d: PluginDeps): Guard {
  const { plugin, name } = p
  const { onError, time } = d
  const run = time === undefined ? <R>(f: () => R): R => f() : <R>(f: () => R): R => timed(time, f)
  const fail = (hook: string, e: unknown, ex: Exchange): GatewayError => {
    onError?.(new Error(`plugin '${name}' failed in ${hook}: ${messageOf(e)}`, { cause: e }), ex)
    return new GatewayError('plugin_error', `plugin '${name}' failed in ${hook} (request ${ex.id}; the gateway log has the cause)`)
  }
  const onRequest = plugin.onRequest?.bind(plugin)
  const onEnd = plugin.onEnd?.bind(plugin)

  return (cx) => {
    const ctx = createContext(cx)
    const active: ActivePlugin = { name, plugin, ctx, run, fail: (hook, e) => fail(hook, e, cx.ex) }
    ;(cx.plugins ??= []).push(active)
    if (onEnd !== undefined)
      cx.onEnd((end) => {
        try {
          const r = run(() => onEnd(ctx, end.usage, { status: end.status, errorCode: end.errorCode }))
          if (isPromise(r)) r.catch((e: unknown) => void fail('onEnd', e, cx.ex))
        } catch (e) {
          fail('onEnd', e, cx.ex)
        }
      })
    if (onRequest === undefined) return
    cx.bodyEdited = true
    let r: ReturnType<typeof onRequest>
    try {
      r = run(() => onRequest(ctx))
    } catch (e) {
      throw rejection(e) ?? fail('onRequest', e, cx.ex)
    }
    if (!isPromise(r)) return apply(cx, ctx, r, active, d)
    return settleWithin(r, d.timeoutMs).then(
      (v) => apply(cx, ctx, v, active, d),
      (e: unknown) => {
        throw rejection(e) ?? fail('onRequest', e, cx.ex)
      },
    )
  }
}

function createContext(cx: CallContext): PluginContext {
  const headers: Record<string, string | undefined> = {}
  for (const [k, v] of Object.entries(cx.ex.headers)) if (!HIDDEN.has(k) && v !== undefined) headers[k] = v
  return {
    requestId: cx.ex.id,
    endpoint: cx.endpoint as PluginEndpoint,
    model: cx.model,
    stream: cx.stream,
    keyId: cx.caller?.keyId,
    ip: cx.ex.ip,
    headers,
    body: cx.body,
    state: {},
  }
}

/** onRequest's answer: nothing (ctx.body edited in place), a change, or a rejection. */
function apply(cx: CallContext, ctx: PluginContext, v: void | PluginRequestChange | PluginRejection, active: ActivePlugin, d: PluginDeps): void {
  if (v !== undefined && v !== null) {
    if (typeof v !== 'object') throw active.fail('onRequest', new Error(`onRequest returned ${typeof v}; return nothing, a change { body, headers, model } or a rejection { code, message }`))
    const rejected = rejection(v)
    if (rejected !== undefined) throw rejected
    if ('code' in v) throw active.fail('onRequest', new Error(`it rejected with code ${JSON.stringify(v.code)}: ${whyNotSpec(v)}`))
    const c = v as PluginRequestChange
    if (c.body !== undefined) {
      if (c.body === null || typeof c.body !== 'object' || Array.isArray(c.body)) throw active.fail('onRequest', new Error('its change.body is not an object'))
      ctx.body = c.body
    }
    if (c.headers !== undefined) {
      const h = (cx.upstreamHeaders ??= {})
      for (const [k, val] of Object.entries(c.headers)) {
        if (typeof val !== 'string' || !/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(k) || /[\r\n\0]/.test(val)) throw active.fail('onRequest', new Error(`its change.headers has an invalid header ${JSON.stringify(k)}`))
        if (RESERVED.has(k.toLowerCase())) throw active.fail('onRequest', new Error(`its change.headers sets ${k}, which the gateway owns`))
        h[k.toLowerCase()] = val
      }
    }
    if (c.model !== undefined) {
      if (typeof c.model !== 'string' || !d.isModel(c.model)) throw active.fail('onRequest', new Error(`it routes to ${JSON.stringify(c.model)}, which is no model of the spec`))
      cx.routeTo = c.model
    }
  }
  if (ctx.body === null || typeof ctx.body !== 'object' || Array.isArray(ctx.body)) throw active.fail('onRequest', new Error('ctx.body is no longer an object'))
  cx.body = ctx.body
}

/** A thrown or returned `{ code, message }` with a SPEC code (and a matching status, if given): the refusal itself. */
function rejection(v: unknown): GatewayError | undefined {
  if (v === null || typeof v !== 'object' || v instanceof GatewayError) return v instanceof GatewayError ? v : undefined
  const r = v as Partial<PluginRejection>
  if (typeof r.code !== 'string' || typeof r.message !== 'string' || !Object.hasOwn(ERROR_CODES, r.code)) return undefined
  const code = r.code as ErrorCode
  if (r.status !== undefined && r.status !== ERROR_CODES[code].status) return undefined
  return new GatewayError(code, r.message)
}

function whyNotSpec(v: Partial<PluginRejection>): string {
  if (typeof v.code !== 'string' || !Object.hasOwn(ERROR_CODES, v.code)) return `not a SPEC error code (${Object.keys(ERROR_CODES).join(', ')})`
  if (typeof v.message !== 'string') return 'its message is not a string'
  return `status ${String(v.status)} is not ${v.code}'s status ${ERROR_CODES[v.code as ErrorCode].status}`
}

function settleWithin<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`onRequest did not settle within ${ms} ms (server.requestTimeout)`)), ms)
  })
  return Promise.race([p, late]).finally(() => clearTimeout(timer))
}

function messageOf(e: unknown): string {
  if (e instanceof Error) return e.message
  try {
    return typeof e === 'string' ? e : JSON.stringify(e)
  } catch {
    return String(e)
  }
}
