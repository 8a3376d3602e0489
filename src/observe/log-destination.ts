/** Where log lines go (SPEC §3 observability.accessLog.destination): an async, bounded sonic-boom that never throws. */
import type { pino } from 'pino'
import sonicBoom from 'sonic-boom'

const { SonicBoom } = sonicBoom
type SonicBoom = InstanceType<typeof SonicBoom>

export type LogTarget = 'stdout' | 'stderr' | (string & {})

export interface LogDestinationOptions {
  /** Bytes gathered before a write(2); 0 writes each line as soon as the previous write finished. */
  readonly minLength?: number
  /** Bytes buffered while the target is slow or failing; lines beyond are dropped and counted. */
  readonly maxBufferBytes?: number
  /** Synchronous writes (bench comparison only: a slow target then stalls the event loop). */
  readonly sync?: boolean
  /** Flush a partly filled buffer this often so quiet periods still reach the file. */
  readonly flushEveryMs?: number
}

/** Characters of lines gathered as one string before they become one Buffer for sonic-boom (batched mode). */
const BATCH_CHARS = 16 * 1024

/** A writable pino can log into, plus what went wrong with it. */
export interface LogDestination {
  readonly stream: pino.DestinationStream
  /** Lines dropped because the buffer was full (slow terminal, full disk). */
  readonly dropped: number
  /** Write errors seen (ENOSPC, EIO, EPIPE...). The process never crashes on them. */
  readonly errors: number
  readonly lastError: string | undefined
  flush(): void
  close(): Promise<void>
}

const DEFAULT_MAX_BUFFER = 8 * 1024 * 1024

interface BoomState {
  readonly fd: number
  readonly destroyed: boolean
}
const state = (b: SonicBoom): BoomState => b as unknown as BoomState

/**
 * Open async destinations, flushed synchronously at exit. We build SonicBoom ourselves rather than through
 * pino.destination(): pino's exit hook retries a failing target on every 'beforeExit' (a full disk then keeps the
 * process alive forever) and throws at 'exit' when the file never opened.
 */
const OPEN = new Set<SonicBoom>()
/** Hand JS-side batches (see `batched` below) to their SonicBoom before the exit flush. */
const HAND_OVER = new Set<() => void>()
/** Targets whose last write failed. sonic-boom's flushSync() retries a failing write forever: never call it on these. */
const FAILING = new WeakSet<SonicBoom>()
process.on('exit', () => {
  for (const handOver of HAND_OVER) handOver()
  for (const b of OPEN) {
    try {
      if (state(b).fd >= 0 && !state(b).destroyed && !FAILING.has(b)) b.flushSync()
    } catch {
      // the target is failing: its lines are lost, the exit goes on
    }
  }
})

export function createLogDestination(target: LogTarget, opts: LogDestinationOptions = {}): LogDestination {
  const dest = target === 'stdout' ? 1 : target === 'stderr' ? 2 : target
  const sync = opts.sync ?? false
  const minLength = sync ? 0 : (opts.minLength ?? 32 * 1024)
  /*
   * HOT PATH (access log): with minLength > 0 lines wait in sonic-boom anyway (for minLength bytes or the periodic
   * flush), so they wait here instead, as one string, and become one Buffer per BATCH_CHARS: Buffer.from() on each
   * ~400-byte line (flatten, allocate, encode: ~1 µs CPU a line here) was the largest part of a logged request
   * (bench/observe/README.md). Same bound on delay (the periodic flush hands the batch over first), same limit on
   * memory (sonic-boom's maxLength, checked per batch), same drop accounting (the lines of a dropped batch).
   */
  const batched = !sync && minLength > 0
  const flushEveryMs = sync || opts.minLength === 0 ? 0 : (opts.flushEveryMs ?? 250)
  const boom = new SonicBoom({
    dest,
    sync,
    mkdir: typeof dest === 'string',
    // 32 KiB per write(2) for access logs: ~100 lines a syscall at ~300 bytes a line; the periodic flush bounds the delay.
    minLength,
    // Buffer mode: in utf8 mode sonic-boom re-measures its whole pending string (Buffer.byteLength) on every
    // write, O(maxWrite) per line; with Buffers it adds lengths. Then one write(2) may carry 256 KiB, so at tens of
    // thousands of lines a second the writer keeps up (bench/observe/README.md).
    contentMode: 'buffer',
    maxWrite: 256 * 1024,
    maxLength: opts.maxBufferBytes ?? DEFAULT_MAX_BUFFER,
    // Batched: our timer below hands the batch over, then flushes (one timer, not two).
    periodicFlush: batched ? 0 : flushEveryMs,
  })
  let dropped = 0
  let errors = 0
  let lastError: string | undefined
  let closed = false
  if (!sync) OPEN.add(boom)
  // sonic-boom emits 'error' on ENOSPC/EIO/EPIPE and keeps its buffer; without a listener Node would crash.
  boom.on('error', (err: NodeJS.ErrnoException) => {
    errors++
    lastError = err.code ?? err.message
    FAILING.add(boom)
  })
  boom.on('write', () => FAILING.delete(boom))
  boom.on('drop', (data: string | Buffer) => {
    dropped += countLines(data)
  })
  /** Write `text` (`lines` lines) to sonic-boom now. */
  const put = (text: string, lines: number): void => {
    try {
      boom.write(Buffer.from(text) as unknown as string)
    } catch (err) {
      // Destroyed or not writable: count the lines as dropped instead of throwing into a request.
      dropped += lines
      errors++
      lastError = (err as Error).message
    }
  }
  let pending = ''
  let pendingLines = 0
  const handOver = (): void => {
    if (pendingLines === 0) return
    const text = pending
    const lines = pendingLines
    pending = ''
    pendingLines = 0
    put(text, lines)
  }
  let timer: NodeJS.Timeout | undefined
  if (batched) {
    HAND_OVER.add(handOver)
    if (flushEveryMs > 0) {
      timer = setInterval(() => {
        handOver()
        flushBoom()
      }, flushEveryMs)
      timer.unref()
    }
  }
  const flushBoom = (): void => {
    if (closed || state(boom).destroyed || state(boom).fd < 0) return
    try {
      boom.flush()
    } catch {
      // failing target: the periodic flush or close() retries
    }
  }
  const stream: pino.DestinationStream = {
    write: batched
      ? (line: string) => {
          if (closed) return
          pending += line
          pendingLines++
          if (pending.length >= BATCH_CHARS) handOver()
        }
      : (line: string) => {
          if (!closed) put(line, 1)
        },
  }
  return {
    stream,
    get dropped() {
      return dropped
    },
    get errors() {
      return errors
    },
    get lastError() {
      return lastError
    },
    flush() {
      if (closed) return
      handOver()
      flushBoom()
    },
    close() {
      if (closed) return Promise.resolve()
      handOver()
      closed = true
      clearInterval(timer)
      HAND_OVER.delete(handOver)
      OPEN.delete(boom)
      return new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer)
          if (!state(boom).destroyed && state(boom).fd >= 0) boom.destroy()
          resolve()
        }
        // A target that keeps failing (or never opened) must not hold up shutdown.
        const timer = setTimeout(done, errors > 0 ? 50 : 2000)
        const finish = () => {
          boom.once('error', done)
          // Standard streams stay open: flush what is buffered, then let go.
          if (dest === 1 || dest === 2) boom.flush(done)
          else {
            boom.once('close', done)
            boom.end()
          }
        }
        if (state(boom).destroyed) done()
        else if (state(boom).fd >= 0) finish()
        else if (errors > 0) done() // the file never opened
        else boom.once('ready', finish)
      })
    },
  }
}

/** Lines in dropped data: a batch holds many (a Buffer's indexOf takes the same '\n'). */
function countLines(s: string | Buffer): number {
  let n = 0
  for (let i = s.indexOf('\n'); i !== -1; i = s.indexOf('\n', i + 1)) n++
  return Math.max(n, 1)
}
