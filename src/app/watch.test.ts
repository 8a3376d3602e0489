/** Hot reload of a JS spec (SPEC §6): a spec module that never finishes fails its reload and wedges nothing. */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { startApp } from './start.js'
import { until } from '../testing/until.js'

const spec = (model: string, before = '') =>
  `${before}\nmodule.exports = ${JSON.stringify({ version: 1, providers: [{ name: 'sim', type: 'mock' }], models: [{ name: model, targets: [{ provider: 'sim', model: 'mock-1' }] }], auth: { required: false } })}\n`

async function modelIds(url: string): Promise<string[]> {
  const res = await fetch(`${url}/v1/models`, { signal: AbortSignal.timeout(8000) })
  return ((await res.json()) as { data: Array<{ id: string }> }).data.map((m) => m.id)
}

async function errorReloads(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(8000) })).text()
  return Number(/^llmgw_config_reloads_total\{result="error"\} (\d+)/m.exec(text)?.[1] ?? 0)
}


test('a .js spec edited into an endless loop: the reload fails (old spec serves, metric, 400), and a later valid edit applies', { timeout: 60_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'llmgw-jsreload-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const file = join(dir, 'llmgw.config.js')
  writeFileSync(file, spec('a'))
  const logs: string[] = []
  const app = await startApp({
    file,
    cwd: dir,
    host: '127.0.0.1',
    port: 0,
    watch: true,
    dashboard: false,
    accessLog: false,
    env: { ...process.env, LLMGW_SPEC_LOAD_TIMEOUT_MS: '300' },
    log: { info: () => undefined, warn: () => undefined, error: (msg, f) => logs.push(`${msg} ${JSON.stringify(f)}`) },
  })
  t.after(() => app.shutdown())
  assert.deepEqual(await modelIds(app.url), ['a'])

  writeFileSync(file, spec('never', 'while (true) {}'))
  await until('the failed reload to be counted', async () => (await errorReloads(app.url)) >= 1, 15_000)
  assert.deepEqual(await modelIds(app.url), ['a'], 'the old spec keeps serving')
  assert.ok(logs.some((l) => l.includes('module-timeout')), logs.join('\n'))

  const admin = await fetch(`${app.url}/admin/reload`, { method: 'POST', signal: AbortSignal.timeout(15_000) })
  assert.equal(admin.status, 400)
  assert.match(await admin.text(), /did not finish loading within 300 ms/)

  writeFileSync(file, spec('b'))
  await until('the valid edit', async () => (await modelIds(app.url)).join() === 'b', 15_000)
})
