/** Lint rule plugin-module at load (SPEC §3 rules[].type: plugin): a module that loads but exports no hook, throws, or hangs is an error at `module:`'s line:col. */
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadSpec } from './load.js'

async function specWith(t: TestContext, plugin: string, file = 'p.mjs'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'llmgw-plugin-check-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  await writeFile(join(dir, file), plugin)
  const spec = `version: 1
providers: [{ name: sim, type: mock }]
models: [{ name: m, targets: [{ provider: sim, model: m }] }]
rules:
  - type: content-filter
    words: [x]
  - type: plugin
    module: ./${file}
    options: { n: 1 }
`
  await writeFile(join(dir, 'llmgw.config.yaml'), spec)
  return join(dir, 'llmgw.config.yaml')
}

const problemsOf = async (file: string, timeoutMs?: number) => {
  const r = await loadSpec({ file, ...(timeoutMs ? { moduleTimeoutMs: timeoutMs } : {}) })
  return r.ok ? [] : r.problems
}

test('a plugin module without any hook is a plugin-module error at module: (line 8, col 13)', async (t) => {
  const [p, ...rest] = await problemsOf(await specWith(t, 'export const helper = 1\n'))
  assert.deepEqual(rest, [])
  assert.deepEqual([p?.rule, p?.line, p?.col], ['plugin-module', 8, 13])
  assert.match(p!.message, /^rules\[1\]\.module: .*exports no hook/)
})

test('a setup function gets the options; a hook that is not a function and a throwing module are errors', async (t) => {
  assert.deepEqual(await problemsOf(await specWith(t, 'export default (o) => { if (o.n !== 1) throw new Error("no options"); return { onEnd() {} } }\n')), [])
  const [notFn] = await problemsOf(await specWith(t, 'export default { onRequest: 42 }\n'))
  assert.match(notFn!.message, /onRequest is number, not a function/)
  const [threw] = await problemsOf(await specWith(t, 'throw new Error("top-level boom")\n'))
  assert.deepEqual([threw?.rule, threw?.line], ['plugin-module', 8])
  assert.match(threw!.message, /top-level boom/)
})

test('a plugin module that never finishes loading hits the time limit', async (t) => {
  const [p] = await problemsOf(await specWith(t, 'while (true) {}\n'), 500)
  assert.deepEqual([p?.rule, p?.line, p?.col], ['module-timeout', 8, 13])
  assert.match(p!.message, /plugin module did not finish loading within 500 ms/)
})

test('a .ts plugin is transpiled and probed like a .mjs one; its syntax error is a plugin-module problem', async (t) => {
  const ok = "import type { Plugin } from './types.js'\nconst p: Plugin = { onEnd(): void {} }\nexport default p\n"
  assert.deepEqual(await problemsOf(await specWith(t, ok, 'p.ts')), [])
  const [bad] = await problemsOf(await specWith(t, 'export default {;\n', 'p.ts'))
  assert.deepEqual([bad?.rule, bad?.line, bad?.col], ['plugin-module', 8, 13])
  assert.match(bad!.message, /TypeScript syntax error/)
})

test('a module of another kind is refused by the schema with the extensions it takes', async (t) => {
  const [p] = await problemsOf(await specWith(t, 'x', 'p.json'))
  assert.match(p!.message, /expected a \.mjs, \.js, \.cjs or \.ts file/)
})
