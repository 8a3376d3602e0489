/** CPU seconds and RSS of a process from /proc (SPEC §2 `bench`: gateway CPU and RSS for the child it started). */
import { readFileSync } from 'node:fs'

export interface ProcSample {
  /** user + system CPU seconds since the process started (all its threads). */
  readonly cpuSeconds: number
  readonly rssBytes: number
  /** peak RSS (VmHWM) */
  readonly peakRssBytes: number
  readonly at: number
}

// Linux reports utime/stime in clock ticks; USER_HZ is 100 on every Linux ABI Node supports.
const TICKS_PER_SECOND = 100

/** Undefined when the process is gone or /proc is not there (not Linux): callers report "n/a", never fail. */
export function sampleProc(pid: number): ProcSample | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // the command name (field 2) may hold spaces and parentheses: split after the last ')'
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const utime = Number(fields[11])
    const stime = Number(fields[12])
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    return {
      cpuSeconds: (utime + stime) / TICKS_PER_SECOND,
      rssBytes: kb(status, 'VmRSS') * 1024,
      peakRssBytes: kb(status, 'VmHWM') * 1024,
      at: Date.now(),
    }
  } catch {
    return undefined
  }
}

function kb(status: string, field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)
  return m ? Number(m[1]) : 0
}

/** True while /proc/PID exists and is not a zombie. */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z'
  } catch {
    return false
  }
}

/** Direct children of PID (from /proc/PID/task/PID/children; empty when unsupported). */
export function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number)
  } catch {
    return []
  }
}

export interface ProcDelta {
  readonly cpuSeconds: number
  readonly rssBytes: number
  readonly peakRssBytes: number
}

export function procDelta(before: ProcSample | undefined, after: ProcSample | undefined): ProcDelta | undefined {
  if (!before || !after) return undefined
  return { cpuSeconds: round(after.cpuSeconds - before.cpuSeconds, 2), rssBytes: after.rssBytes, peakRssBytes: after.peakRssBytes }
}

const round = (x: number, d: number): number => Math.round(x * 10 ** d) / 10 ** d
