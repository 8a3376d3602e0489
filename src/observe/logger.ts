/** The app logger for non-request events (listening, reloads with file:line:col, warnings) as JSON lines (SPEC §6). */
import { pino } from 'pino'
import { createLogDestination } from './log-destination.js'
import type { LogDestinationOptions, LogTarget } from './log-destination.js'

export type LogLevel = 'debug' | 'info' | 'warn' | 'error'

export interface LoggerConfig {
  readonly destination: LogTarget
  readonly level?: LogLevel
}

/** A spec problem as the reload path reports it (structurally the spec room's SpecProblem). */
export interface ProblemLike {
  readonly file: string
  readonly line: number
  readonly col: number
  readonly message: string
  readonly rule?: string
  readonly severity?: string
}

export type LogFields = Readonly<Record<string, unknown>>

export interface Logger {
  debug(msg: string, fields?: LogFields): void
  info(msg: string, fields?: LogFields): void
  warn(msg: string, fields?: LogFields): void
  error(msg: string, fields?: LogFields): void
  listening(url: string, fields?: LogFields): void
  reloadOk(version: string, fields?: LogFields): void
  /** One line per problem, each with `where: "file:line:col"` so editors can jump to it. */
  reloadError(problems: readonly ProblemLike[], fields?: LogFields): void
  flush(): void
  close(): Promise<void>
}

// Defence in depth only: secrets are Secret objects (toJSON -> "[redacted]") and never put into fields on purpose.
const REDACT = ['apiKey', 'apiKeys', '*.apiKeys', 'key', 'token', 'authorization', 'password', '*.apiKey', '*.key', '*.token', '*.authorization', '*.password']

export function formatWhere(p: ProblemLike): string {
  return `${p.file}:${p.line}:${p.col}`
}

export function createLogger(cfg: LoggerConfig, opts: LogDestinationOptions = {}): Logger {
  // Rare events: write each line at once (minLength 0), still off the event loop.
  const dest = createLogDestination(cfg.destination, { minLength: 0, ...opts })
  const log = pino(
    {
      base: null,
      level: cfg.level ?? 'info',
      redact: { paths: REDACT, censor: '[redacted]' },
      formatters: { level: (label) => ({ level: label }) },
      serializers: { err: pino.stdSerializers.err },
    },
    dest.stream,
  )
  const at = (level: LogLevel) => (msg: string, fields?: LogFields) => (fields ? log[level](fields, msg) : log[level](msg))
  const info = at('info')
  return {
    debug: at('debug'),
    info,
    warn: at('warn'),
    error: at('error'),
    listening: (url, fields) => info('listening', { ...fields, event: 'listening', url }),
    reloadOk: (version, fields) => info('reload ok', { ...fields, event: 'reload', result: 'ok', version }),
    reloadError(problems, fields) {
      log.error({ ...fields, event: 'reload', result: 'error', problems: problems.length }, 'reload failed, keeping the running spec')
      for (const p of problems) {
        log.error({ event: 'reload-problem', where: formatWhere(p), rule: p.rule, severity: p.severity }, p.message)
      }
    },
    flush: () => dest.flush(),
    close: () => dest.close(),
  }
}
