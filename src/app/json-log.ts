/** App event log as JSON lines (SPEC §2 serve: non-TTY output): listening, reloads, warnings. Rare events, written at once. */
import type { AppLog } from './types.js'

export interface JsonLog extends AppLog {
  listening(url: string, fields: Readonly<Record<string, unknown>>): void
}

/*
 * Pino's numeric levels (30 info, 40 warn, 50 error), as the access log writes them: one stdout, one level encoding,
 * so a log shipper needs one parser (QA F7). `level` and `msg` come first so tools and humans find them.
 */
const LEVEL = { info: 30, warn: 40, error: 50 } as const

/** One JSON object per line: {"level":30,"msg","time",...fields}. */
export function createJsonLog(write: (line: string) => void = (l) => process.stdout.write(l)): JsonLog {
  const at = (name: keyof typeof LEVEL) => {
    const level = LEVEL[name]
    return (msg: string, fields?: Readonly<Record<string, unknown>>): void => {
      let line: string
      try {
        line = JSON.stringify({ level, msg, time: Date.now(), ...fields })
      } catch {
        line = JSON.stringify({ level, msg, time: Date.now() })
      }
      write(`${line}\n`)
    }
  }
  const info = at('info')
  return {
    info,
    warn: at('warn'),
    error: at('error'),
    listening: (url, fields) => info('listening', { url, ...fields }),
  }
}
