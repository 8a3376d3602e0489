/** `llmgw lint` cold start (issue 2: under 300 ms): run the prebuilt lint bundle with a V8 code cache, else the plain CLI. */
import { isAscii } from 'node:buffer'
import { createHash } from 'node:crypto'
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { basename, dirname, join, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import vm from 'node:vm'

// The bundle (lint-bundle-build.ts) is one CommonJS file, so it can be compiled through vm.Script with cachedData:
// Node 20 has no compile cache for ES modules. The cache holds the bytecode of every function the last lint ran, so a
// warm run skips parsing and compiling. Measured in bench/README.md ("`llmgw lint` cold start").

export const BUNDLE_FILE = 'lint.bundle.cjs'
export const MANIFEST_FILE = 'lint.bundle.json'
/** The bundle calls this for every import() (lint-bundle-build.ts rewrites them); it is a plain import() from here. */
export const DYNAMIC_IMPORT = '__llmgwImport'
const dynamicImport = (specifier: string): Promise<unknown> => import(specifier)

/** Written beside the bundle: each input as [path relative to the bundle's folder, size, ctimeMs] at build time. */
export interface BundleManifest {
  version: 1
  inputs: Array<[path: string, size: number, ctimeMs: number]>
}

export interface LintBundle {
  main(argv: string[]): Promise<void>
  /** 'hit': compiled from the code cache; 'miss': no cache yet; 'rejected': V8 refused it (other node or flags); 'off'. */
  readonly cache: 'hit' | 'miss' | 'rejected' | 'off'
  /** After a run that missed the cache: writes the cache for the next run (best effort, atomic). */
  saveCache(): void
}

export interface OpenOptions {
  /** The folder holding the bundle and its manifest (dist/cli). */
  dir: string
  /** Where code caches live; undefined: no cache. Must be as private as the code itself (never a shared tmp dir). */
  cacheDir: string | undefined
  /** Check the manifest's inputs against the files on disk (a source checkout, where tsc or npm can change them). */
  checkInputs: boolean
}

/** Opens the bundle, or says why not (missing, stale, unreadable): the caller then runs the plain CLI. */
export function openLintBundle(o: OpenOptions): LintBundle | { unavailable: string } {
  const file = join(o.dir, BUNDLE_FILE)
  let source: Buffer
  try {
    const manifest = JSON.parse(readFileSync(join(o.dir, MANIFEST_FILE), 'utf8')) as BundleManifest
    if (manifest.version !== 1 || !Array.isArray(manifest.inputs)) return { unavailable: 'unknown manifest' }
    if (o.checkInputs) {
      for (const [p, size, ctimeMs] of manifest.inputs) {
        const st = statSync(`${o.dir}${sep}${p}`, { throwIfNoEntry: false })
        if (st === undefined || st.size !== size || st.ctimeMs !== ctimeMs) return { unavailable: `stale: ${p} changed since the build` }
      }
    }
    source = readFileSync(file)
  } catch (e) {
    return { unavailable: `unreadable: ${e instanceof Error ? e.message : String(e)}` }
  }
  const cacheFile = o.cacheDir === undefined ? undefined : join(o.cacheDir, cacheFileName(source))
  const cached = cacheFile === undefined ? undefined : readCache(cacheFile)
  const wrapper = `(function (exports, require, module, __filename, __dirname, ${DYNAMIC_IMPORT}) {${source.toString(isAscii(source) ? 'latin1' : 'utf8')}\n})`
  let script: vm.Script
  let exports: { main(argv: string[]): Promise<void> }
  try {
    script = new vm.Script(wrapper, { filename: file, cachedData: cached })
    const mod = { exports: {} as typeof exports }
    ;(script.runInThisContext() as (...a: unknown[]) => void).call(mod.exports, mod.exports, createRequire(file), mod, file, o.dir, dynamicImport)
    exports = mod.exports
    if (typeof exports.main !== 'function') return { unavailable: 'the bundle exports no main()' }
  } catch (e) {
    return { unavailable: `the bundle failed to load: ${e instanceof Error ? e.message : String(e)}` }
  }
  const cache = cacheFile === undefined ? 'off' : cached === undefined ? 'miss' : script.cachedDataRejected ? 'rejected' : 'hit'
  return {
    main: (argv) => exports.main(argv),
    cache,
    saveCache() {
      if (cacheFile === undefined || cache === 'hit') return
      writeCache(cacheFile, script.createCachedData())
    },
  }
}

// Cache file: MAGIC, sha1 of the payload, payload. V8 checks its version, flags and the source length but not (in
// release builds) a checksum, so a damaged file is caught here. The name carries the bundle's hash, the node version
// and the flags, so a rebuilt bundle or another node never even reads an old cache.
const MAGIC = Buffer.from('llmgw-v8cache-1\n')
const DIGEST = 20

export function cacheFileName(source: Buffer): string {
  const bundle = createHash('sha1').update(source).digest('hex').slice(0, 24)
  const runtime = createHash('sha1')
    .update(`${process.version} ${process.arch} ${process.execArgv.join(' ')} ${process.env.NODE_OPTIONS ?? ''}`)
    .digest('hex')
    .slice(0, 12)
  return `lint-${bundle}-${runtime}.v8cache`
}

function readCache(file: string): Buffer | undefined {
  let buf: Buffer
  try {
    buf = readFileSync(file)
  } catch {
    return undefined
  }
  const head = MAGIC.length + DIGEST
  if (buf.length <= head || !buf.subarray(0, MAGIC.length).equals(MAGIC)) return undefined
  const payload = buf.subarray(head)
  if (!createHash('sha1').update(payload).digest().equals(buf.subarray(MAGIC.length, head))) return undefined
  return payload
}

function writeCache(file: string, data: Buffer): void {
  const dir = dirname(file)
  const tmp = `${file}.${process.pid}.tmp`
  try {
    mkdirSync(dir, { recursive: true })
    writeFileSync(tmp, Buffer.concat([MAGIC, createHash('sha1').update(data).digest(), data]))
    renameSync(tmp, file)
    // Caches of older bundles are dead weight: drop them (same bundle, other node or flags: kept).
    const prefix = file.slice(dir.length + 1, file.lastIndexOf('-') + 1)
    for (const name of readdirSync(dir)) {
      if (name.startsWith('lint-') && name.endsWith('.v8cache') && !name.startsWith(prefix)) unlinkSync(join(dir, name))
    }
  } catch {
    // A read-only install or a full disk costs only speed.
    try {
      unlinkSync(tmp)
    } catch {
      // not written
    }
  }
}

/** `bin/llmgw.js lint ...` lands here. LLMGW_LINT_BUNDLE=off runs the plain CLI (the same lint, unbundled). */
export async function main(argv: string[]): Promise<void> {
  const here = dirname(fileURLToPath(import.meta.url))
  const root = resolve(here, '..', '..')
  const bundle =
    process.env.LLMGW_LINT_BUNDLE === 'off'
      ? undefined
      : openLintBundle({
          dir: here,
          // One cache folder per build folder (dist/, dist-x/), so two builds in one checkout never evict each other.
          cacheDir: join(root, 'node_modules', '.cache', 'llmgw', basename(dirname(here))),
          // An installed package has no src/: its bundle and dist/ were built together and nothing rebuilds them.
          checkInputs: statSync(join(root, 'src'), { throwIfNoEntry: false })?.isDirectory() === true,
        })
  if (bundle === undefined || 'unavailable' in bundle) return (await import('./main.js')).main(argv)
  await bundle.main(argv)
  bundle.saveCache()
}
