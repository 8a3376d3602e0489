/** Watches the spec file and the files it references, debounced, for hot reload (SPEC §6). */
import { watch as chokidarWatch, type FSWatcher } from 'chokidar'
import { existsSync, readlinkSync, realpathSync, statSync } from 'node:fs'
import { basename, dirname, isAbsolute, relative, resolve, sep } from 'node:path'

export interface WatchSpecOptions {
  /** The spec file. */
  file: string
  /** Files the spec references (wordsFile, PEM keys); replace later with setExtraFiles. */
  extraFiles?: string[]
  /** Quiet time after the last filesystem event before checking; default 100 ms. */
  debounceMs?: number
  /**
   * Called once per settled change, with a human reason ("changed: /etc/llmgw/config.yaml").
   * When it returns a promise, further checks wait for it, so a slow reload is never overlapped.
   */
  onChange: (reason: string) => void | Promise<void>
  /** A watched file vanished (kept watching), a watcher error, or onChange threw. Never fatal. */
  onWarning?: (msg: string) => void
}

export interface SpecWatcher {
  /** Resolves once the initial directory scan is done; changes after this are seen for sure. */
  readonly ready: Promise<void>
  setExtraFiles(files: string[]): void
  /** Stops watching; resolves when every fs handle and timer is released; no onChange starts after it. Idempotent. */
  close(): Promise<void>
}

/**
 * What a file "is" right now. Comparing fingerprints instead of trusting event names makes every save style
 * look the same: an in-place write changes mtime/size, a rename-over changes the inode, and a Kubernetes
 * ConfigMap swap (`..data` symlink renamed over) changes the resolved real path.
 */
function fingerprint(file: string): string | null {
  try {
    const st = statSync(file)
    return `${realpathSync(file)}|${st.dev}:${st.ino}|${st.size}|${st.mtimeMs}`
  } catch {
    return null // missing (or unreadable) – compared like any other state
  }
}

/** What to watch: directories (depth 0) and, in each, the entry names that matter. */
interface WatchPlan {
  dirs: string[]
  names: Map<string, Set<string>>
  /** Equal keys = same plan: the chokidar watcher is only rebuilt when this changes. */
  key: string
}

/**
 * For each file: its own name in its directory; the first hop of a relative symlink (`..data` for a ConfigMap's
 * `config.yaml -> ..data/config.yaml`, swapped by renaming over it); and the directory where the chain ends, for
 * symlinks to files elsewhere that are edited in place. A missing directory is watched through its nearest existing
 * ancestor (chokidar's own handling of missing paths can leak a handle).
 */
function planWatch(files: readonly string[]): WatchPlan {
  const names = new Map<string, Set<string>>()
  const note = (dir: string, name: string) => {
    const set = names.get(dir) ?? new Set<string>()
    set.add(name)
    names.set(dir, set)
  }
  for (const f of files) {
    const dir = dirname(f)
    let base = dir
    while (!existsSync(base) && dirname(base) !== base) base = dirname(base)
    if (base !== dir) {
      note(base, relative(base, dir).split(sep)[0]!)
      continue
    }
    note(dir, basename(f))
    try {
      const target = readlinkSync(f)
      if (!isAbsolute(target)) note(dir, target.split(/[\\/]/)[0]!)
    } catch {
      // not a symlink, or missing
    }
    try {
      const real = realpathSync(f)
      if (dirname(real) !== dir) note(dirname(real), basename(real))
    } catch {
      // missing: its directory is enough to see it come back
    }
  }
  const dirs = [...names.keys()].sort()
  return { dirs, names, key: JSON.stringify(dirs.map((d) => [d, [...names.get(d)!].sort()])) }
}

/** chokidar `ignored`: keep the watched directories and the entries that matter, so unrelated files hold no handles. */
function ignoredBy(plan: WatchPlan): (path: string) => boolean {
  return (p) => {
    if (plan.names.has(p)) return false
    const wanted = plan.names.get(dirname(p))
    if (wanted !== undefined) return !wanted.has(basename(p))
    return !plan.dirs.some((d) => d.startsWith(p))
  }
}

export function watchSpec(opts: WatchSpecOptions): SpecWatcher {
  const debounceMs = opts.debounceMs ?? 100
  // Under a continuous stream of writes, still check now and then instead of starving forever.
  const maxWaitMs = Math.max(debounceMs * 5, 500)
  const followUpMs = Math.max(debounceMs, 100)
  const warn = opts.onWarning ?? (() => {})
  const specFile = resolve(opts.file)
  let extra = (opts.extraFiles ?? []).map((f) => resolve(f))
  const known = new Map<string, string | null>()
  for (const f of [specFile, ...extra]) known.set(f, fingerprint(f))

  let timer: NodeJS.Timeout | undefined
  let followTimer: NodeJS.Timeout | undefined
  let firstEventAt = 0
  let running: Promise<void> | undefined
  let rerun = false
  let closed = false
  let plan: WatchPlan | undefined
  let watcher: FSWatcher | undefined
  const closing = new Set<Promise<void>>()

  /** A fresh chokidar watcher for the plan; the previous one is closed rather than `unwatch`ed (which leaks handles). */
  function syncWatcher(): Promise<void> | undefined {
    const next = planWatch([specFile, ...extra])
    if (next.key === plan?.key) return undefined
    plan = next
    const old = watcher
    // depth 0: the directory's own entries only. Symlinks are not followed, so the `..data` swap of a
    // ConfigMap is seen as an event on `..data` itself rather than chokidar chasing into timestamped dirs.
    const w = chokidarWatch(next.dirs, {
      ignoreInitial: true,
      followSymlinks: false,
      depth: 0,
      persistent: true,
      ignorePermissionErrors: true,
      ignored: ignoredBy(next),
    })
    watcher = w
    w.on('all', () => schedule())
    w.on('error', (e) => warn(`spec watcher: ${e instanceof Error ? e.message : String(e)}`))
    if (old) {
      const p = old.close().finally(() => closing.delete(p))
      closing.add(p)
    }
    // Anything that changed while the new watcher was scanning is caught by one check after it is ready.
    return new Promise<void>((res) => w.once('ready', () => res())).then(() => {
      if (!closed && watcher === w) schedule()
    })
  }

  function schedule(): void {
    if (closed) return
    clearTimeout(followTimer)
    followTimer = undefined
    const now = Date.now()
    if (timer === undefined) firstEventAt = now
    else clearTimeout(timer)
    const wait = Math.min(debounceMs, Math.max(0, firstEventAt + maxWaitMs - now))
    timer = setTimeout(fire, wait)
  }

  function fire(isFollowUp = false): void {
    timer = undefined
    followTimer = undefined
    if (running) {
      rerun = true // a reload is in progress: check again once it is done
      return
    }
    running = check().then((changed) => {
      running = undefined
      if (closed) return
      if (rerun) {
        rerun = false
        fire()
      } else if (changed || !isFollowUp) {
        // chokidar drops 'change' events that come within 50 ms of the previous one, so the last write of a
        // burst may never be reported: look once more after the dust settles.
        followTimer = setTimeout(fire, followUpMs, true)
      }
    })
  }

  /** Compares fingerprints, warns about missing files, calls onChange; true when something changed. */
  async function check(): Promise<boolean> {
    if (closed) return false
    const reasons: string[] = []
    for (const f of [specFile, ...extra]) {
      const before = known.get(f)
      const now = fingerprint(f)
      if (now === before) continue
      known.set(f, now)
      const what = f === specFile ? 'spec file' : 'referenced file'
      if (now === null) warn(`${what} ${f} is missing; keeping the current spec and watching for it to come back`)
      else reasons.push(`${before === null ? 'reappeared' : 'changed'}: ${f}`)
    }
    syncWatcher() // a ConfigMap swap or a recreated symlink may point somewhere new
    if (reasons.length === 0 || closed) return false
    try {
      await opts.onChange(reasons.join(', '))
    } catch (e) {
      warn(`spec reload failed: ${e instanceof Error ? e.message : String(e)}`)
    }
    return true
  }

  let stop = () => {}
  const stopped = new Promise<void>((res) => (stop = res))
  // close() before the first scan ends must not leave `await ready` hanging.
  const ready = Promise.race([syncWatcher() ?? Promise.resolve(), stopped])

  return {
    ready,
    setExtraFiles(files: string[]): void {
      if (closed) return
      const next = files.map((f) => resolve(f))
      for (const f of next) if (!known.has(f)) known.set(f, fingerprint(f))
      for (const f of extra) if (!next.includes(f) && f !== specFile) known.delete(f)
      extra = next
      syncWatcher()
    },
    async close(): Promise<void> {
      if (closed) return
      closed = true
      stop()
      clearTimeout(timer)
      clearTimeout(followTimer)
      // Not awaiting an in-flight onChange: close() may well be called from inside it (shutdown during reload).
      await Promise.all([watcher?.close(), ...closing])
    },
  }
}
