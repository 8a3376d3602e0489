/** Run a flat guard list (STYLE §2.4 fastify hooks style). HOT PATH: a sync guard costs no microtask. */
import type { CallContext, Guard } from '../core/pipeline.js'
import type { MaybePromise } from '../core/types.js'
import { isPromise } from '../core/sync.js'

export function runGuards(guards: readonly Guard[], cx: CallContext): MaybePromise<void> {
  return runFrom(guards, 0, cx)
}

function runFrom(guards: readonly Guard[], start: number, cx: CallContext): MaybePromise<void> {
  for (let i = start; i < guards.length; i++) {
    const r = guards[i]!(cx)
    if (isPromise(r)) return r.then(() => runFrom(guards, i + 1, cx))
  }
}

/** A guard list as one function, or null when empty (then the pipeline skips the step entirely). */
export function compileGuardList(guards: readonly Guard[]): ((cx: CallContext) => MaybePromise<void>) | null {
  if (guards.length === 0) return null
  if (guards.length === 1) return guards[0]!
  return (cx) => runFrom(guards, 0, cx)
}
