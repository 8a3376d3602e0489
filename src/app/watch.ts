/** Hot reload trigger (SPEC §6): the spec file and the files it references, through spec/watch.ts (chokidar, debounced). */
import { referencedFiles } from '../spec/referenced-files.js'
import type { Spec } from '../spec/schema.js'
import { watchSpec } from '../spec/watch.js'
import type { AppLog } from './types.js'

export interface AppWatcher {
  /** After a reload: watch the new spec's referenced files. */
  setSpec(spec: Spec): void
  close(): Promise<void>
}

export async function startSpecWatch(file: string, spec: Spec, onChange: () => Promise<unknown>, log: AppLog): Promise<AppWatcher> {
  const w = watchSpec({
    file,
    extraFiles: referencedFiles(spec, file),
    onChange: (reason) => {
      log.info('spec changed, reloading', { event: 'watch', reason })
      // Returning the reload's promise makes the watcher wait for it, so reloads never overlap.
      return onChange().then(() => undefined)
    },
    onWarning: (msg) => log.warn(msg, { event: 'watch' }),
  })
  await w.ready
  return {
    setSpec: (s) => w.setExtraFiles(referencedFiles(s, file)),
    close: () => w.close(),
  }
}
