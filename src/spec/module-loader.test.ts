/** JS/TS specs evaluated in a worker thread: time limit, plain data, syntax errors, size cap, fresh module per load. */
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { loadSpec, MAX_SPEC_BYTES } from './load.js'
import { MODULE_TIMEOUT_ENV, MODULE_TIMEOUT_MS, moduleTimeoutMs } from './module-loader.js'

// A short limit keeps the tests fast; bounds below are generous (limit + 5 s), never tight timings.
const LIMIT = 400
// Loads that must succeed get a limit no busy CI runner reaches (a worker's cold start took > 400 ms on a loaded 2-core box).
const LOADS_IN = 30_000
const SPEC = { version: 1, providers: [{ name: 'sim', type: 'mock' }], models: [{ name: 'm1', targets: [{ provider: 'sim', model: 'mock-1' }] }] }
const cjs = (doc: unknown, before = '') => `${before}\nmodule.exports = ${JSON.stringify(doc)}\n`
const esm = (doc: unknown, before = '') => `${before}\nexport default ${JSON.stringify(doc)}\n`

function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'llmgw-modload-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

async function loadTimed(file: string, cwd: string, env: NodeJS.ProcessEnv = {}, moduleTimeoutMs: number | null = LOADS_IN) {
  // null: no limit passed, so the env's (or the default) applies; undefined would take the default parameter instead
  const t0 = Date.now()
  const r = await loadSpec({ file, cwd, env, ...(moduleTimeoutMs === null ? {} : { moduleTimeoutMs }) })
  return { r, ms: Date.now() - t0 }
}

test('an endless loop is cut off at the time limit: a module-timeout problem, and the main thread kept running', { timeout: 60_000 }, async (t) => {
  const dir = tempDir(t)
  writeFileSync(join(dir, 'loop.js'), cjs(SPEC, 'while (true) {}'))
  let ticks = 0
  const ticker = setInterval(() => ticks++, 20)
  const { r, ms } = await loadTimed('loop.js', dir, {}, LIMIT).finally(() => clearInterval(ticker))
  assert.ok(!r.ok)
  assert.equal(r.problems[0]?.rule, 'module-timeout')
  assert.match(r.problems[0]?.message ?? '', /did not finish loading within 400 ms \(an endless loop or a promise that never settles\?\)/)
  assert.ok(ms < LIMIT + 5000, `returned after ${ms} ms`)
  assert.ok(ticks > 0, 'the event loop of the loading thread was never blocked')
})

test('the time limit comes from LLMGW_SPEC_LOAD_TIMEOUT_MS in the env, else 10 s', { timeout: 60_000 }, async (t) => {
  assert.equal(moduleTimeoutMs({}), MODULE_TIMEOUT_MS)
  assert.equal(MODULE_TIMEOUT_MS, 10_000)
  assert.equal(moduleTimeoutMs({ [MODULE_TIMEOUT_ENV]: '250' }), 250)
  assert.equal(moduleTimeoutMs({ [MODULE_TIMEOUT_ENV]: 'soon' }), MODULE_TIMEOUT_MS)
  assert.equal(moduleTimeoutMs({ [MODULE_TIMEOUT_ENV]: '0' }), MODULE_TIMEOUT_MS)
  const dir = tempDir(t)
  writeFileSync(join(dir, 'spin.mjs'), esm(SPEC, 'setInterval(() => {}, 50); await new Promise(() => {})'))
  const { r, ms } = await loadTimed('spin.mjs', dir, { [MODULE_TIMEOUT_ENV]: String(LIMIT) }, null)
  assert.ok(!r.ok)
  assert.equal(r.problems[0]?.rule, 'module-timeout')
  assert.match(r.problems[0]?.message ?? '', /within 400 ms/)
  assert.ok(ms < LIMIT + 5000, `returned after ${ms} ms`)
})

test('a top-level await that can never settle is reported, not read as an empty spec', { timeout: 60_000 }, async (t) => {
  const dir = tempDir(t)
  writeFileSync(join(dir, 'tla.mjs'), esm(SPEC, 'await new Promise(() => {})'))
  const { r } = await loadTimed('tla.mjs', dir, {}, 60_000)
  assert.ok(!r.ok)
  assert.equal(r.problems[0]?.rule, 'module-timeout')
  assert.match(r.problems[0]?.message ?? '', /never settles/)
})

test('process.exit, a throw and an async throw in the spec are problems; the loading process lives on', { timeout: 60_000 }, async (t) => {
  const dir = tempDir(t)
  writeFileSync(join(dir, 'exit.js'), 'process.exit(0)\n')
  writeFileSync(join(dir, 'throw.mjs'), '\n\nthrow new Error("boom from spec")\n')
  writeFileSync(join(dir, 'late.mjs'), esm(SPEC, 'setTimeout(() => { throw new Error("late boom") }, 1); await new Promise((r) => setTimeout(r, 5000))'))
  const exit = (await loadTimed('exit.js', dir)).r
  assert.ok(!exit.ok)
  assert.match(exit.problems[0]?.message ?? '', /process\.exit\(0\)/)
  const thrown = (await loadTimed('throw.mjs', dir)).r
  assert.ok(!thrown.ok)
  assert.deepEqual([thrown.problems[0]?.rule, thrown.problems[0]?.line, thrown.problems[0]?.col], ['module-error', 3, 7])
  assert.match(thrown.problems[0]?.message ?? '', /boom from spec/)
  const late = (await loadTimed('late.mjs', dir, {}, 60_000)).r
  assert.ok(!late.ok)
  assert.match(late.problems[0]?.message ?? '', /late boom/)
})

test('the export comes back as plain data; functions are named by path', { timeout: 60_000 }, async (t) => {
  const dir = tempDir(t)
  const withDate = { ...SPEC, keys: [{ id: 'a', key: 'sha256:' + 'a'.repeat(64), expires: '__DATE__' }] }
  writeFileSync(join(dir, 'ok.mjs'), esm(withDate).replace('"__DATE__"', 'new Date("2030-01-01T00:00:00Z")'))
  const ok = (await loadTimed('ok.mjs', dir)).r
  assert.ok(ok.ok, JSON.stringify(ok))
  assert.equal(ok.spec.keys[0]?.expires, '2030-01-01T00:00:00.000Z')
  writeFileSync(join(dir, 'fn.js'), 'module.exports = () => ({ version: 1 })\n')
  const fn = (await loadTimed('fn.js', dir)).r
  assert.ok(!fn.ok)
  assert.equal(fn.problems[0]?.rule, 'module-export')
  assert.match(fn.problems[0]?.message ?? '', /exports a function/)
  writeFileSync(join(dir, 'nested.mjs'), `export default { ...${JSON.stringify(SPEC)}, server: { port: 1, pick() { return 2 } } }\n`)
  const nested = (await loadTimed('nested.mjs', dir)).r
  assert.ok(!nested.ok)
  assert.equal(nested.problems[0]?.rule, 'module-export')
  assert.match(nested.problems[0]?.message ?? '', /a function at server\.pick/)
})

test('a .ts spec loads; a syntax error is reported with its line and column, and no compiled file is left behind', { timeout: 60_000 }, async (t) => {
  const dir = tempDir(t)
  writeFileSync(join(dir, 'good.ts'), `const spec: Record<string, unknown> = ${JSON.stringify(SPEC)}\nexport default spec\n`)
  const good = (await loadTimed('good.ts', dir, {}, 60_000)).r
  assert.ok(good.ok, JSON.stringify(good))
  assert.deepEqual(good.spec.models.map((m) => m.name), ['m1'])
  writeFileSync(join(dir, 'bad.ts'), 'const a = 1\nconst s: number = {;\nexport default s\n')
  const bad = (await loadTimed('bad.ts', dir, {}, 60_000)).r
  assert.ok(!bad.ok)
  assert.equal(bad.problems.length, 1, JSON.stringify(bad.problems))
  assert.deepEqual([bad.problems[0]?.rule, bad.problems[0]?.line, bad.problems[0]?.col], ['module-syntax', 2, 20])
  assert.doesNotMatch(bad.problems[0]?.message ?? '', /required/)
  // The compiled module is written beside the spec; this one never finishes, so the worker ends without a reply.
  writeFileSync(join(dir, 'stuck.ts'), 'await new Promise<void>(() => {})\nexport default {}\n')
  const stuck = (await loadTimed('stuck.ts', dir, {}, 60_000)).r
  assert.ok(!stuck.ok)
  assert.equal(stuck.problems[0]?.rule, 'module-timeout')
  assert.deepEqual(readdirSync(dir).sort(), ['bad.ts', 'good.ts', 'stuck.ts'])
})

test('each load evaluates afresh: edits to a .js, .cjs or .mjs spec and to a module it imports are seen', { timeout: 60_000 }, async (t) => {
  const dir = tempDir(t)
  const doc = (model: string) => ({ ...SPEC, models: [{ name: model, targets: [{ provider: 'sim', model: 'mock-1' }] }] })
  for (const [file, write] of [['spec.js', cjs], ['spec.cjs', cjs], ['spec.mjs', esm]] as const) {
    writeFileSync(join(dir, file), write(doc('before')))
    const a = (await loadTimed(file, dir)).r
    assert.ok(a.ok, JSON.stringify(a))
    writeFileSync(join(dir, file), write(doc('after')))
    const b = (await loadTimed(file, dir)).r
    assert.ok(b.ok, JSON.stringify(b))
    assert.deepEqual([a.spec.models[0]?.name, b.spec.models[0]?.name], ['before', 'after'], file)
  }
  writeFileSync(join(dir, 'models.mjs'), `export const name = 'one'\n`)
  writeFileSync(join(dir, 'main.mjs'), `import { name } from './models.mjs'\nconst s = ${JSON.stringify(SPEC)}\ns.models[0].name = name\nexport default s\n`)
  const one = (await loadTimed('main.mjs', dir)).r
  writeFileSync(join(dir, 'models.mjs'), `export const name = 'two'\n`)
  const two = (await loadTimed('main.mjs', dir)).r
  assert.ok(one.ok && two.ok)
  assert.deepEqual([one.spec.models[0]?.name, two.spec.models[0]?.name], ['one', 'two'])
})

test('the module sees the env it is loaded with', { timeout: 60_000 }, async (t) => {
  const dir = tempDir(t)
  writeFileSync(join(dir, 'env.mjs'), `const s = ${JSON.stringify(SPEC)}\ns.models[0].name = process.env.MODEL_NAME\nexport default s\n`)
  const r = (await loadTimed('env.mjs', dir, { MODEL_NAME: 'from-env' })).r
  assert.ok(r.ok, JSON.stringify(r))
  assert.equal(r.spec.models[0]?.name, 'from-env')
})

test('spec files over 16 MB are refused before they are read or run (YAML and JS)', { timeout: 60_000 }, async (t) => {
  const dir = tempDir(t)
  assert.equal(MAX_SPEC_BYTES, 16 * 1024 * 1024)
  for (const name of ['big.yaml', 'big.js']) {
    const file = join(dir, name)
    // A sparse file: its size is over the cap, its content a marker that must never run (and NULs).
    writeFileSync(file, name.endsWith('.js') ? 'process.exit(3)\n' : 'version: 1\n')
    truncateSync(file, MAX_SPEC_BYTES + 1)
    const r = (await loadTimed(name, dir)).r
    assert.ok(!r.ok)
    assert.equal(r.problems[0]?.rule, 'file-too-large', JSON.stringify(r.problems))
    assert.match(r.problems[0]?.message ?? '', /16\.0 MB limit/)
  }
  writeFileSync(join(dir, 'at-limit.yaml'), 'version: 1\n')
  truncateSync(join(dir, 'at-limit.yaml'), 1024)
  const small = (await loadTimed('at-limit.yaml', dir)).r
  assert.ok(!small.ok)
  assert.notEqual(small.problems[0]?.rule, 'file-too-large')
})

test('no worker thread outlives its load, including cut-off ones', { timeout: 60_000, skip: !existsSync('/proc/self/status') }, async (t) => {
  const dir = tempDir(t)
  const threads = () => Number(/^Threads:\s+(\d+)/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1])
  writeFileSync(join(dir, 'ok.js'), cjs(SPEC))
  writeFileSync(join(dir, 'loop.js'), cjs(SPEC, 'while (true) {}'))
  await loadTimed('ok.js', dir) // warms the libuv pool and anything else started once
  const before = threads()
  for (let i = 0; i < 3; i++) {
    assert.ok((await loadTimed('ok.js', dir)).r.ok)
    assert.ok(!(await loadTimed('loop.js', dir, {}, 200)).r.ok)
  }
  assert.ok(threads() <= before, `threads: ${before} before, ${threads()} after`)
})
