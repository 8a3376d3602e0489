/** The lint bundle and its code cache (lint-cold-start.ts): same answers as the plain CLI; stale or damaged files are never run. */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { test, type TestContext } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { packageRoot } from '../core/package-root.js'
import { buildLintBundle } from './lint-bundle-build.js'
import { BUNDLE_FILE, cacheFileName, MANIFEST_FILE, openLintBundle, type BundleManifest, type LintBundle } from './lint-cold-start.js'

const CLI_DIR = dirname(fileURLToPath(import.meta.url))
const COLD_START = new URL('./lint-cold-start.js', import.meta.url).href
const MAIN = new URL('./main.js', import.meta.url).href

function tempDir(t: TestContext, prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

interface Run { code: number | null; stdout: string; stderr: string }

// Bundled: open the bundle explicitly (exit 99 if it would fall back), so a pass proves the bundle answered.
const BUNDLED = `const m = await import(${JSON.stringify(COLD_START)})
const b = m.openLintBundle({ dir: process.env.T_DIR, cacheDir: process.env.T_CACHE, checkInputs: true })
if ('unavailable' in b) { process.stderr.write(b.unavailable); process.exit(99) }
await b.main(['node', 'llmgw', ...process.argv.slice(1)])
b.saveCache()`
const PLAIN = `const m = await import(${JSON.stringify(MAIN)}); await m.main(['node', 'llmgw', ...process.argv.slice(1)])`

function run(code: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--input-type=module', '-e', code, ...args], { cwd, env, timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout, stderr })
    })
  })
}

test('the bundled lint prints and exits exactly as the plain CLI, for every fixture, template, format and search case', async (t) => {
  await buildLintBundle(CLI_DIR)
  const root = packageRoot()
  const cache = tempDir(t, 'llmgw-lint-cache-')
  const lintFixtures = readdirSync(join(root, 'fixtures', 'lint')).map((id) => join(root, 'fixtures', 'lint', id, 'spec.yaml'))
  const templates = readdirSync(join(root, 'templates')).filter((f) => f.endsWith('.yaml')).map((f) => join(root, 'templates', f))
  const valid = readdirSync(join(root, 'fixtures', 'specs', 'valid')).map((f) => join(root, 'fixtures', 'specs', 'valid', f))

  // The search (cosmiconfig) and JS/TS specs go through import() from inside the bundle: one folder each.
  const work = tempDir(t, 'llmgw-lint-same-')
  const spec = 'version: 1\nproviders:\n  - name: sim\n    type: mock\nmodels:\n  - name: m1\n    targets: [{ provider: sim, model: mock-1 }]\n'
  const doc = JSON.stringify({ version: 1, providers: [{ name: 'sim', type: 'mock' }], models: [{ name: 'm1', targets: [{ provider: 'simm', model: 'x' }] }] })
  const dirs = { yaml: join(work, 'yaml'), cjs: join(work, 'cjs'), mjs: join(work, 'mjs'), ts: join(work, 'ts'), none: join(work, 'none') }
  for (const d of Object.values(dirs)) mkdirSync(d)
  writeFileSync(join(dirs.yaml, 'llmgw.config.yaml'), spec)
  writeFileSync(join(dirs.cjs, 'llmgw.config.cjs'), `module.exports = ${doc}\n`)
  writeFileSync(join(dirs.mjs, 'llmgw.config.mjs'), `export default ${doc}\n`)
  writeFileSync(join(dirs.ts, 'llmgw.config.ts'), `const spec: { version: number } = ${doc}\nexport default spec\n`)

  const secrets = { LLMGW_ADMIN_TOKEN: 't', OPENAI_API_KEY: 'o', ANTHROPIC_API_KEY: 'a', TEAM_A_KEY: 'k' }
  const cases: Array<{ args: string[]; cwd?: string; env?: NodeJS.ProcessEnv }> = [
    { args: ['lint', ...lintFixtures] },
    { args: ['lint', '--format', 'json', ...lintFixtures] },
    { args: ['lint', '--strict', ...templates, ...valid], env: secrets },
    { args: ['lint', '--format', 'json', ...templates] },
    { args: ['lint', 'does-not-exist.yaml'] },
    { args: ['lint', '--format', 'xml'] },
    { args: ['lint', '--bogus'] },
    { args: ['lint', '--help'] },
    ...Object.values(dirs).map((cwd) => ({ args: ['lint'], cwd })),
    { args: ['lint', '--format', 'json'], cwd: dirs.mjs },
  ]
  for (const c of cases) {
    const env = { ...process.env, NO_COLOR: '1', T_DIR: CLI_DIR, T_CACHE: cache, ...c.env }
    const cwd = c.cwd ?? root
    const [bundled, plain] = await Promise.all([run(BUNDLED, c.args, cwd, env), run(PLAIN, c.args, cwd, env)])
    assert.notEqual(bundled.code, 99, `the bundle did not open: ${bundled.stderr}`)
    assert.deepEqual(bundled, plain, `llmgw ${c.args.join(' ')} (in ${cwd})`)
  }
  // The cases above really differ from each other (a comparison of two empty outputs would prove nothing).
  const again = await run(BUNDLED, ['lint', '--format', 'json', lintFixtures[0]!], root, { ...process.env, T_DIR: CLI_DIR, T_CACHE: cache })
  assert.equal(again.code, 1)
  assert.match(again.stdout, /"rule": "/)
  assert.equal(readdirSync(cache).filter((f) => f.endsWith('.v8cache')).length, 1, 'the first run wrote one code cache')
})

/** A stand-in bundle: its main() records a marker, so a test sees which code ran. */
function fakeBundle(dir: string, marker: string, input = 'input.js'): void {
  writeFileSync(join(dir, BUNDLE_FILE), `module.exports.main = async (argv) => { globalThis.__llmgwFakeRuns.push(${JSON.stringify(marker)} + argv.length) }\n`)
  writeFileSync(join(dir, input), `// ${marker}\n`)
  const st = statSync(join(dir, input))
  const manifest: BundleManifest = { version: 1, inputs: [[input, st.size, st.ctimeMs]] }
  writeFileSync(join(dir, MANIFEST_FILE), JSON.stringify(manifest))
}

const runs = ((globalThis as { __llmgwFakeRuns?: string[] }).__llmgwFakeRuns = [])

function open(dir: string, cacheDir: string | undefined, checkInputs = true): LintBundle {
  const b = openLintBundle({ dir, cacheDir, checkInputs })
  if ('unavailable' in b) assert.fail(`expected the bundle to open: ${b.unavailable}`)
  return b
}

test('a code cache is written after the first run and used by the next', async (t) => {
  const dir = tempDir(t, 'llmgw-fake-bundle-')
  const cacheDir = join(dir, 'cache')
  fakeBundle(dir, 'A')
  const first = open(dir, cacheDir)
  assert.equal(first.cache, 'miss')
  await first.main(['x'])
  first.saveCache()
  const second = open(dir, cacheDir)
  assert.equal(second.cache, 'hit')
  await second.main(['x', 'y'])
  assert.deepEqual(runs.splice(0), ['A1', 'A2'])
  assert.equal(open(dir, undefined).cache, 'off')
})

test('a changed, missing or touched-back input makes the bundle stale; an installed package skips the check', async (t) => {
  const dir = tempDir(t, 'llmgw-fake-bundle-')
  fakeBundle(dir, 'A')
  open(dir, undefined)
  await sleep(30) // the next change must get a later ctime than the build saw (coarse file system clocks)
  const input = join(dir, 'input.js')
  const before = statSync(input)
  writeFileSync(input, '// B\n') // same size, and the mtime is put back: only the ctime tells
  utimesSync(input, before.atime, before.mtime)
  const stale = openLintBundle({ dir, cacheDir: undefined, checkInputs: true })
  assert.match('unavailable' in stale ? stale.unavailable : '', /^stale: input\.js changed/)
  open(dir, undefined, false)

  fakeBundle(dir, 'A')
  appendFileSync(input, 'more')
  assert.ok('unavailable' in openLintBundle({ dir, cacheDir: undefined, checkInputs: true }))
  rmSync(input)
  assert.ok('unavailable' in openLintBundle({ dir, cacheDir: undefined, checkInputs: true }))
})

test('a missing manifest or bundle, or a bundle that throws or has no main(), falls back', (t) => {
  const dir = tempDir(t, 'llmgw-fake-bundle-')
  const reason = () => {
    const r = openLintBundle({ dir, cacheDir: undefined, checkInputs: true })
    return 'unavailable' in r ? r.unavailable : 'opened'
  }
  assert.match(reason(), /^unreadable/)
  fakeBundle(dir, 'A')
  assert.equal(reason(), 'opened')
  rmSync(join(dir, BUNDLE_FILE))
  assert.match(reason(), /^unreadable/)
  writeFileSync(join(dir, BUNDLE_FILE), 'throw new Error("broken bundle")')
  assert.match(reason(), /failed to load: broken bundle/)
  writeFileSync(join(dir, BUNDLE_FILE), 'module.exports.other = 1')
  assert.match(reason(), /no main/)
  writeFileSync(join(dir, MANIFEST_FILE), '{"version":2}')
  assert.match(reason(), /unknown manifest/)
})

test('a damaged, truncated or foreign cache is ignored and replaced; the bundle still runs its own code', async (t) => {
  const dir = tempDir(t, 'llmgw-fake-bundle-')
  const cacheDir = join(dir, 'cache')
  fakeBundle(dir, 'A')
  const a = open(dir, cacheDir)
  await a.main([])
  a.saveCache()
  const [name] = readdirSync(cacheDir)
  const file = join(cacheDir, name!)
  const good = readFileSync(file)

  const flipped = Buffer.from(good)
  flipped[flipped.length - 5] = (flipped[flipped.length - 5] ?? 0) ^ 0xff
  writeFileSync(file, flipped)
  assert.equal(open(dir, cacheDir).cache, 'miss')
  writeFileSync(file, good.subarray(0, good.length >> 1))
  assert.equal(open(dir, cacheDir).cache, 'miss')
  writeFileSync(file, 'not a cache')
  const replaced = open(dir, cacheDir)
  assert.equal(replaced.cache, 'miss')
  replaced.saveCache()
  // replaced, and usable again. Not compared byte for byte with the first: V8's code cache holds what is compiled at
  // save time, which bytecode flushing under GC can change (a loaded CI runner wrote 1060 bytes against 1068).
  assert.notDeepEqual(readFileSync(file), Buffer.from('not a cache'))
  assert.equal(open(dir, cacheDir).cache, 'hit')

  // A rebuilt bundle gets its own cache file (and the old one goes).
  fakeBundle(dir, 'Bee')
  const b = open(dir, cacheDir)
  assert.equal(b.cache, 'miss')
  await b.main([])
  b.saveCache()
  const names = readdirSync(cacheDir)
  assert.equal(names.length, 1)
  assert.notEqual(names[0], name)
  // A cache that passes our checksum but was made for other source is refused by V8, and the bundle's own code runs.
  // (A bundle this process has not compiled yet: V8's in-process cache would otherwise answer before the data is read.)
  fakeBundle(dir, 'Cee')
  writeFileSync(join(cacheDir, cacheFileName(readFileSync(join(dir, BUNDLE_FILE)))), good)
  const refused = open(dir, cacheDir)
  assert.equal(refused.cache, 'rejected')
  await refused.main([])
  refused.saveCache()
  assert.notDeepEqual(readFileSync(join(cacheDir, cacheFileName(readFileSync(join(dir, BUNDLE_FILE))))), good)
  assert.deepEqual(runs.splice(0), ['A0', 'Bee0', 'Cee0'])
})
