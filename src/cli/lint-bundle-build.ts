/** Build step (`npm run build`, after tsc): bundles `llmgw lint` into dist/cli/lint.bundle.cjs for a fast cold start (issue 2). */
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { build, type Plugin } from 'esbuild'
import { packageRoot } from '../core/package-root.js'
import { BUNDLE_FILE, DYNAMIC_IMPORT, MANIFEST_FILE, type BundleManifest } from './lint-cold-start.js'

// Why a bundle: the unbundled lint loads ~220 ES modules (zod alone is ~100 files); resolving, reading and compiling
// them one by one was most of its 460 ms. One CommonJS file can also be compiled with a V8 code cache on Node 20
// (lint-cold-start.ts), which ES modules cannot.

/** Only the lint command is bundled. Every other import() in our code (serve, diff, ..., cosmiconfig, a JS spec file)
 *  becomes `__llmgwImport()`, which lint-cold-start passes in from dist/cli/: the same resolution as the plain CLI.
 *  (A real import() inside vm.Script would need vm's experimental importModuleDynamically, which prints a warning and,
 *  on Node 20, is lost when the script comes from the code cache.) */
const lintOnly: Plugin = {
  name: 'llmgw-lint-only',
  setup(b) {
    b.onLoad({ filter: /\.js$/ }, (a) => {
      if (a.path.includes(`${sep}node_modules${sep}`)) return undefined
      const text = readFileSync(a.path, 'utf8').replace(/\bimport\((?!'\.\/lint\.js'\))/g, `${DYNAMIC_IMPORT}(`)
      return { contents: text, loader: 'js' }
    })
  },
}

/**
 * Bundles `<cliDir>/main.js` (tsc output) into `<cliDir>/lint.bundle.cjs` and writes the manifest of its inputs
 * (`lint.bundle.json`: path relative to cliDir, size, ctime), which lint-cold-start checks so a stale bundle is never run.
 */
export async function buildLintBundle(cliDir: string): Promise<{ file: string; inputs: number; bytes: number }> {
  const entry = join(cliDir, 'main.js')
  const file = join(cliDir, BUNDLE_FILE)
  const tmp = `${file}.${process.pid}.tmp`
  const result = await build({
    entryPoints: [entry],
    outfile: tmp,
    absWorkingDir: cliDir,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    metafile: true,
    logLevel: 'warning',
    legalComments: 'none',
    // Whitespace and comments only: names stay readable in a stack trace. The output is ASCII (esbuild's default
    // charset), which lint-cold-start decodes as latin1, several times faster than UTF-8 for a megabyte.
    minifyWhitespace: true,
    charset: 'ascii',
    // ES module code that looks for files beside itself (package-root.ts) keeps working from the CommonJS bundle.
    define: { 'import.meta.url': '__llmgwImportMetaUrl' },
    banner: { js: "const __llmgwImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
    plugins: [lintOnly],
  })
  const inputs: BundleManifest['inputs'] = Object.keys(result.metafile.inputs).map((p) => {
    const abs = resolve(cliDir, p)
    const st = statSync(abs)
    return [relative(cliDir, abs), st.size, st.ctimeMs]
  })
  if (!inputs.some(([p]) => p === 'lint.js')) throw new Error(`${tmp}: lint.js is not in the bundle (main.js no longer imports './lint.js'?)`)
  const manifest: BundleManifest = { version: 1, inputs }
  if (/\bimport\(/.test(readFileSync(tmp, 'utf8'))) throw new Error(`${tmp}: an import() is left in the bundle; it would fail inside vm.Script`)
  renameSync(tmp, file)
  const mtmp = `${join(cliDir, MANIFEST_FILE)}.${process.pid}.tmp`
  writeFileSync(mtmp, JSON.stringify(manifest))
  renameSync(mtmp, join(cliDir, MANIFEST_FILE))
  return { file, inputs: inputs.length, bytes: statSync(file).size }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const cliDir = dirname(fileURLToPath(import.meta.url))
  const r = await buildLintBundle(cliDir)
  process.stdout.write(`lint bundle: ${relative(process.cwd(), r.file)} (${r.inputs} modules, ${(r.bytes / 1024).toFixed(0)} KiB)\n`)
  // Warm the code cache with one lint of the templates, so the first `llmgw lint` after `npm ci` is fast too. Only
  // for dist/, which bin/llmgw.js runs; problems (missing env vars) are expected and ignored. Skipped where there is
  // nothing to lint with (a container build stage holding only src/).
  const root = packageRoot()
  if (cliDir === join(root, 'dist', 'cli') && existsSync(join(root, 'templates')) && existsSync(join(root, 'bin', 'llmgw.js'))) {
    const templates = readdirSync(join(root, 'templates')).filter((f) => f.endsWith('.yaml')).map((f) => join(root, 'templates', f))
    spawnSync(process.execPath, [join(root, 'bin', 'llmgw.js'), 'lint', ...templates], { stdio: 'ignore', timeout: 60_000 })
  }
}
