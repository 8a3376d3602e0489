/** loadPlugins (SPEC §3 rules[].type: plugin): main-thread import with options, .ts transpiled, a changed file a new module, an unchanged one the same. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { RulePlan } from './plan.js'
import { loadPlugins, pluginHeaderNames } from './plugin-load.js'

const rule = (module: string, options: Record<string, unknown> = {}, name?: string): RulePlan => ({ type: 'plugin', name, module, options })

test('setup gets the options; names: the rule, else the plugin, else the file; headers collected lower-case', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'llmgw-plugin-load-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  await writeFile(join(dir, 'a.mjs'), 'export default (o) => ({ name: "own", headers: ["X-A"], onRequest() { return o.tag } })\n')
  await writeFile(join(dir, 'b-file.mjs'), 'export function onEnd() {}\n')
  const [deny, a, b, named] = await loadPlugins([{ type: 'deny', when: {}, message: 'x' }, rule(join(dir, 'a.mjs'), { tag: 7 }), rule(join(dir, 'b-file.mjs')), rule(join(dir, 'a.mjs'), {}, 'mine')])
  assert.equal(deny, undefined)
  assert.equal(a!.name, 'own')
  assert.equal(a!.plugin.onRequest!({} as never), 7)
  assert.equal(b!.name, 'b-file')
  assert.equal(named!.name, 'mine')
  assert.deepEqual(pluginHeaderNames([a, b]), ['x-a'])
})

test('an edited plugin is a new module; an unchanged one is the cached module', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'llmgw-plugin-load-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  const file = join(dir, 'p.mjs')
  const version = (n: number) => writeFile(file, `export const plugin = { n: ${n} }\nexport default { onEnd() {}, n: ${n} }\n`)
  await version(1)
  const [first] = await loadPlugins([rule(file)])
  const [again] = await loadPlugins([rule(file)])
  assert.equal((again!.plugin as { n?: number }).n, 1)
  await version(2)
  const [edited] = await loadPlugins([rule(file)])
  assert.equal((edited!.plugin as { n?: number }).n, 2)
  assert.notEqual(first!.plugin, edited!.plugin)
})

test('a .ts plugin is transpiled, imported and its transpiled file removed; a failing import names the module', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'llmgw-plugin-load-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  await writeFile(join(dir, 'p.ts'), 'const n: number = 3\nexport default { name: "typed", onEnd(): number { return n } }\n')
  const [p] = await loadPlugins([rule(join(dir, 'p.ts'))])
  assert.equal(p!.name, 'typed')
  assert.equal(await p!.plugin.onEnd!({} as never, undefined, { status: 200, errorCode: undefined }), 3)
  assert.deepEqual(await readdir(dir), ['p.ts'])
  await writeFile(join(dir, 'bad.mjs'), 'export default {}\n')
  await assert.rejects(loadPlugins([rule(join(dir, 'bad.mjs'))]), /plugin .*bad\.mjs cannot be used: .*exports no hook/)
})
