/** Value-or-promise helpers: sync stays sync, a promise is chained only when one came back. */
import type { MaybePromise } from './types.js'

export function isPromise<T>(v: MaybePromise<T>): v is Promise<T> {
  return typeof (v as { then?: unknown } | null)?.then === 'function'
}

export function then<T, R>(v: MaybePromise<T>, f: (t: T) => MaybePromise<R>): MaybePromise<R> {
  return isPromise(v) ? v.then(f) : f(v)
}

/** Runs f and reports its time in ns to `time`, once f returned or threw, or once its promise settled if it gave one. */
export function timed<R>(time: (ns: number) => void, f: () => R): R {
  const t0 = process.hrtime.bigint()
  const done = (): void => time(Number(process.hrtime.bigint() - t0))
  let r: R
  try {
    r = f()
  } catch (e) {
    done()
    throw e
  }
  if (isPromise(r)) (r as Promise<unknown>).then(done, done)
  else done()
  return r
}
