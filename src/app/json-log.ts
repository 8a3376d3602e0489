/** App event log as JSON lines (SPEC §2 serve: non-TTY output): listening, reloads, warnings. Rare events, written at once. */
import type { AppLog } from './start.js'

export interface JsonLog extends AppLog {
  listening(url: string, fields: Readonly<Record<string, unknown>>): void
}

/** One JSON object per line: {"level","time","msg",...fields}; `level` and `msg` first so tools and humans find them. */
export function createJsonLog(write: (line: string) => void = (l) => process.stdout.write(l)): JsonLog {
  const at = (level: string) => (msg: string, fields?: Readonly<Record<string, unknown>>): void => {
    let line: string
    try {
      line = JSON.stringify({ level, msg, time: Date.now(), ...fields })
    } catch {
      line = JSON.stringify({ level, msg, time: Date.now() })
    }
    write(`${line}\n`)
  }
  const info = at('info')
  return {
    info,
    warn: at('warn'),
    error: at('error'),
    listening: (url, fields) => info('listening', { url, ...fields }),
  }
}
