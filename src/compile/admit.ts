/**
 * The admission stage (SPEC §4, §7): auth -> parse -> model -> allowed? -> admission guards (limits, budgets) -> the
 * model's rules. Fills the Call with what the request is; throws the GatewayError that refuses it.
 */
import { GatewayError } from '../core/errors.js'
import type { Caller, Guard } from '../core/pipeline.js'
import { isPromise } from '../core/sync.js'
import type { Endpoint, Exchange, MaybePromise } from '../core/types.js'
import { parseRequest, type ParsedRequest } from '../wire/request.js'
import type { Call, CompiledModel } from './call.js'
import { RequestContext } from './context.js'
import { compileGuardList } from './guards.js'
import { modelNotFound, type ModelTable } from './model.js'
import { type StageProfile, timeStage } from './stage-profile.js'

export type Authenticate = (ex: Exchange) => MaybePromise<Caller | undefined>

/** Anonymous callers (no auth configured): may use every model. */
export const ANONYMOUS: Caller = { keyId: undefined, metadata: {}, allows: () => true }

export interface AdmitDeps {
  readonly table: ModelTable
  readonly authenticate: Authenticate | undefined
  /** Limits and budgets; none for endpoints that spend no tokens (count_tokens). */
  readonly admission: readonly Guard[]
  /** false: the model's rules do not apply (count_tokens sends no prompt to a model). */
  readonly rules: boolean
  readonly profile: StageProfile | undefined
}

/**
 * True when the call should go on, false when the client left meanwhile (nothing more to do). HOT PATH: synchronous
 * while every step is (memory store, static keys); a promise only from the first step that returned one.
 */
export type Admit = (call: Call) => MaybePromise<boolean>

export function compileAdmit(endpoint: Endpoint, d: AdmitDeps): Admit {
  const prof = d.profile
  const parse: (ep: Endpoint, b: Uint8Array) => ParsedRequest = prof ? timeStage(prof, 'parse', parseRequest) : parseRequest
  const authenticate = d.authenticate && prof ? timeStage(prof, 'auth', d.authenticate) : d.authenticate
  const admitList = compileGuardList(d.admission)
  const limits = admitList && prof ? timeStage(prof, 'limits', admitList) : admitList
  const resolveModel = prof ? timeStage(prof, 'routing', d.table.resolve) : d.table.resolve
  const rulesFor = new Map(d.table.models.map((m) => {
    const g = d.rules ? compileGuardList(m.guards) : null
    return [m, g && prof ? timeStage(prof, 'rules', g) : g] as const
  }))

  /** After auth: the request, its model and access, then the limits. */
  const identified = (call: Call, caller: Caller | undefined): MaybePromise<boolean> => {
    const c = (call.caller = caller ?? ANONYMOUS)
    const parsed = (call.parsed = parse(endpoint, call.ex.body))
    const model: CompiledModel | undefined = resolveModel(parsed.model)
    if (model === undefined) throw modelNotFound(parsed.model)
    if (!c.allows(parsed.model)) throw new GatewayError('model_not_allowed', `this key may not use model '${model.name}'`, { param: 'model' })
    call.model = call.route = model
    const cx = (call.cx = new RequestContext(call.ex, endpoint, parsed.body, parsed.model, parsed.stream, parsed.clientWantsUsage, model.plan.pricing, c))
    const r = limits === null ? undefined : limits(cx)
    return isPromise(r) ? r.then(() => ruled(call, parsed, model, cx)) : ruled(call, parsed, model, cx)
  }

  /** After the limits: the model's rules, then what translators read. */
  const ruled = (call: Call, parsed: ParsedRequest, model: CompiledModel, cx: RequestContext): MaybePromise<boolean> => {
    const rules = rulesFor.get(model)
    if (!rules) return admitted(call, parsed, cx, parsed.body.messages, undefined)
    const messages = parsed.body.messages
    // a native relay sends the client's own body: whether a rule rewrote the prompt (system prompt, trimming, a
    // request mask editing text in place) decides if it may; compared as text, only where both can happen
    const before = parsed.native !== undefined ? JSON.stringify(messages) : undefined
    const r = rules(cx)
    return isPromise(r) ? r.then(() => admitted(call, parsed, cx, messages, before)) : admitted(call, parsed, cx, messages, before)
  }

  const admitted = (call: Call, parsed: ParsedRequest, cx: RequestContext, messages: unknown, before: string | undefined): boolean => {
    if (call.ex.signal.aborted) return false
    if (cx.routeTo !== undefined) reroute(call, cx.routeTo)
    const promptRewritten = cx.bodyEdited === true || cx.body !== parsed.body || cx.body.messages !== messages || (before !== undefined && JSON.stringify(cx.body.messages) !== before)
    call.input = { endpoint, body: cx.body, native: parsed.native, stream: parsed.stream, clientWantsUsage: parsed.clientWantsUsage, promptRewritten }
    return true
  }

  /** A plugin chose another public model (stages/plugin.ts checked it exists): the caller's key must allow it too. */
  const reroute = (call: Call, name: string): void => {
    const model = d.table.resolve(name)
    if (model === undefined) throw modelNotFound(name)
    if (!call.caller!.allows(name)) throw new GatewayError('model_not_allowed', `this key may not use model '${model.name}' (chosen by a plugin)`, { param: 'model' })
    call.model = call.route = model
  }

  return (call) => {
    if (authenticate === undefined) return identified(call, undefined)
    const c = authenticate(call.ex)
    return isPromise(c) ? c.then((caller) => identified(call, caller)) : identified(call, c)
  }
}
