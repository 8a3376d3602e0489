/** The access log (SPEC §3 observability.accessLog): one pino-format JSON line per request, async and bounded. */
import pinoPretty from 'pino-pretty'
import type { RequestObserver, RequestRecord } from '../core/pipeline.js'
import { createLogDestination } from './log-destination.js'
import type { LogDestinationOptions, LogTarget } from './log-destination.js'

export interface AccessLogConfig {
  readonly format: 'json' | 'pretty' | 'off'
  readonly destination: LogTarget
}

export interface AccessLog extends RequestObserver {
  /** Lines dropped because the destination could not keep up or failed (full disk, closed pipe). */
  readonly dropped: number
  readonly writeErrors: number
  flush(): void
  close(): Promise<void>
}

/** The fields of one line, in this order. RequestRecord holds no secrets, so nothing here can leak one. */
export interface AccessLine {
  /** pino's "info", so pino tooling (pino-pretty, transports) reads these lines. */
  level: 30
  time: number
  reqId: string
  keyId: string | undefined
  ip: string
  method: string
  path: string
  endpoint: string | undefined
  modelAsked: string | undefined
  model: string | undefined
  provider: string | undefined
  upstreamModel: string | undefined
  status: number
  errorCode: string | undefined
  attempts: number
  cache: string | undefined
  variant: string | undefined
  degraded?: string | undefined
  stream: boolean
  tokensIn: number
  tokensOut: number
  costUsd: number
  latencyMs: number
  upstreamLatencyMs: number | undefined
  ttftMs: number | undefined
}

/** Map a record to its log line; undefined fields are left out of the JSON. */
export function formatAccessLine(r: RequestRecord): AccessLine {
  return {
    level: 30,
    time: r.time,
    reqId: r.requestId,
    keyId: r.keyId,
    ip: r.ip,
    method: r.method,
    path: r.path,
    endpoint: r.endpoint,
    modelAsked: r.modelAsked,
    model: r.model,
    provider: r.provider,
    upstreamModel: r.upstreamModel,
    status: r.status,
    errorCode: r.errorCode,
    attempts: r.attempts,
    cache: r.cache,
    variant: r.variant,
    ...(r.degraded === undefined ? {} : { degraded: r.degraded }),
    stream: r.stream,
    tokensIn: r.promptTokens,
    tokensOut: r.completionTokens,
    costUsd: r.costUsd,
    latencyMs: toMicros(r.latencyMs),
    upstreamLatencyMs: r.upstreamLatencyMs === undefined ? undefined : toMicros(r.upstreamLatencyMs),
    ttftMs: r.ttftMs === undefined ? undefined : toMicros(r.ttftMs),
  }
}

/**
 * Durations are logged in ms rounded to the µs: finer digits of a performance.now() difference are noise, and the
 * shortest decimal text of an arbitrary double is the costliest formatting in the line (see millis3).
 */
const toMicros = (ms: number): number => Math.round(ms * 1000) / 1000

/** What JSON.stringify escapes in a string: quote, backslash, control characters, and surrogates (lone ones). */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/
/**
 * JSON.stringify(v) for a string. HOT PATH (~10 strings per line): ids, addresses, model names and paths almost
 * never need escaping, and one regex test plus a concatenation costs about half of a JSON.stringify call
 * (bench/observe/README.md). Anything the test flags (a valid surrogate pair included) goes to JSON.stringify.
 */
export const str = (v: string): string => (NEEDS_ESCAPE.test(v) ? JSON.stringify(v) : '"' + v + '"')
// JSON has no NaN or Infinity: JSON.stringify writes them as null, and so does this.
const num = (v: number): string => (Number.isFinite(v) ? String(v) : 'null')

/**
 * String(t) for an epoch-ms time. HOT PATH: t (~1.8e12) is not a small integer, so String(t) takes V8's
 * double-to-text path (~2.8 µs a line for the numbers of a line in the server profile, this one the commonest);
 * two small integers print cheaply: the millions, and the last six digits (zero-padded by printing 1e6 + them).
 */
export function epochMillis(t: number): string {
  if (!(t >= 1e6 && t < 1e15)) return num(t)
  const hi = Math.floor(t / 1e6)
  const lo = t - hi * 1e6
  if (!(lo >= 0 && lo < 1e6 && lo === Math.floor(lo))) return num(t)
  return String(hi) + String(1e6 + lo).slice(1)
}

/** ".001" .. ".999" without trailing zeros, "" for 0: the fraction of a count of thousandths. */
const THOUSANDTHS = Array.from({ length: 1000 }, (_, f) => (f === 0 ? '' : String(f / 1000).slice(1)))
/** Up to here a count of thousandths is a small integer, so its text is integer formatting plus a table entry. */
const MAX_THOUSANDTHS = 2 ** 31 - 1

/**
 * String(Math.round(ms * 1000) / 1000) (latencyMs, rounded to the µs), without converting a double to its shortest
 * decimal text, which is the costliest number formatting in the line: the integer part and a table of the
 * thousandths give the same digits (the access-log test compares both over millions of values).
 */
export function millis3(ms: number): string {
  const n = Math.round(ms * 1000)
  if (!(n >= 0 && n <= MAX_THOUSANDTHS)) return num(n / 1000)
  const whole = Math.floor(n / 1000)
  return String(whole) + THOUSANDTHS[n - whole * 1000]!
}

/**
 * The JSON text of formatAccessLine(r) plus a newline, byte for byte what JSON.stringify gives, built by
 * concatenation: no intermediate object, no generic key walk (HOT PATH, one call per request). Strings still go
 * through JSON.stringify, which escapes them exactly as JSON requires (client-sent ids and model names included).
 */
export function accessLineJson(r: RequestRecord): string {
  let s = `{"level":30,"time":${epochMillis(r.time)},"reqId":${str(r.requestId)}`
  if (r.keyId !== undefined) s += `,"keyId":${str(r.keyId)}`
  s += `,"ip":${str(r.ip)},"method":${str(r.method)},"path":${str(r.path)}`
  if (r.endpoint !== undefined) s += `,"endpoint":${str(r.endpoint)}`
  if (r.modelAsked !== undefined) s += `,"modelAsked":${str(r.modelAsked)}`
  if (r.model !== undefined) s += `,"model":${str(r.model)}`
  if (r.provider !== undefined) s += `,"provider":${str(r.provider)}`
  if (r.upstreamModel !== undefined) s += `,"upstreamModel":${str(r.upstreamModel)}`
  s += `,"status":${num(r.status)}`
  if (r.errorCode !== undefined) s += `,"errorCode":${str(r.errorCode)}`
  s += `,"attempts":${num(r.attempts)}`
  if (r.cache !== undefined) s += `,"cache":${str(r.cache)}`
  if (r.variant !== undefined) s += `,"variant":${str(r.variant)}`
  if (r.degraded !== undefined) s += `,"degraded":${str(r.degraded)}`
  s += `,"stream":${r.stream ? 'true' : 'false'},"tokensIn":${num(r.promptTokens)},"tokensOut":${num(r.completionTokens)}`
  s += `,"costUsd":${num(r.costUsd)},"latencyMs":${millis3(r.latencyMs)}`
  if (r.upstreamLatencyMs !== undefined) s += `,"upstreamLatencyMs":${millis3(r.upstreamLatencyMs)}`
  if (r.ttftMs !== undefined) s += `,"ttftMs":${millis3(r.ttftMs)}`
  return s + '}\n'
}

/** null when `format: off`: then nothing at all runs per request. */
export function createAccessLog(cfg: AccessLogConfig, opts: LogDestinationOptions = {}): AccessLog | null {
  if (cfg.format === 'off') return null
  const dest = createLogDestination(cfg.destination, opts)
  let write = (line: string) => dest.stream.write(line)
  if (cfg.format === 'pretty') {
    const prettify = pinoPretty.prettyFactory({
      colorize: cfg.destination === 'stdout' ? Boolean(process.stdout.isTTY) : false,
      ignore: 'level,reqId,time',
      translateTime: false,
      messageFormat: '{method} {path} {status} {latencyMs}ms {model} {reqId}',
      hideObject: false,
      singleLine: true,
    })
    write = (line: string) => dest.stream.write(prettify(line))
  }
  return {
    onStart() {},
    // HOT PATH: one string, appended to the destination's buffer and written off the event loop. pino-shaped lines
    // without pino.info(): its per-key serializer cost 2x JSON.stringify here (bench/observe), and the line built by
    // concatenation costs less than an object plus JSON.stringify.
    onEnd(r: RequestRecord) {
      write(accessLineJson(r))
    },
    get dropped() {
      return dest.dropped
    },
    get writeErrors() {
      return dest.errors
    },
    flush: () => dest.flush(),
    close: () => dest.close(),
  }
}
