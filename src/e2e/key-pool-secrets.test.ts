/**
 * Key pools never show a key (issue 13): /admin/config, validation and lint messages, `llmgw diff`, the app's log.
 * At most one of apiKey / apiKeys / apiKeyFile, with a clear message.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runDiff } from '../cli/diff.js'
import { lintFileSet } from '../spec/lint-files.js'
import { loadSpec } from '../spec/load.js'
import { startTestGateway } from '../testing/harness.js'

const KEYS = ['sk-secret-pool-one-1111', 'sk-secret-pool-two-2222', 'sk-secret-pool-three-3333']
const provider = (keys: object) => ({ name: 'up', type: 'openai', baseUrl: 'http://127.0.0.1:9/v1', ...keys })
const spec = (keys: object) => ({ version: 1, providers: [provider(keys)], models: [{ name: 'm', targets: [{ provider: 'up', model: 'x' }] }] })

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'llmgw-keysec-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

const noKey = (text: string, where: string): void => {
  for (const k of KEYS) assert.ok(!text.includes(k) && !text.includes(k.slice(0, 16)), `a key shows in ${where}: ${text}`)
}

test('/admin/config shows a pool as [redacted] entries, the key file by path only; the log shows no key', async (t) => {
  const dir = tempDir(t)
  const file = join(dir, 'keys')
  writeFileSync(file, `${KEYS[2]}\n`)
  const lines: string[] = []
  const log = { info: (m: string, f?: object) => lines.push(JSON.stringify([m, f])), warn: (m: string, f?: object) => lines.push(JSON.stringify([m, f])), error: (m: string, f?: object) => lines.push(JSON.stringify([m, f])) }
  const both = { version: 1, providers: [provider({ apiKeys: [KEYS[0], KEYS[1]] }), { ...provider({ apiKeyFile: file }), name: 'filed' }], models: [{ name: 'm', targets: [{ provider: 'up', model: 'x' }] }] }
  const gw = await startTestGateway(both, { t, log })
  const text = await (await fetch(`${gw.url}/admin/config`)).text()
  noKey(text, '/admin/config')
  const cfg = JSON.parse(text) as { spec: { providers: Array<{ apiKeys?: unknown; apiKeyFile?: unknown }> } }
  assert.deepEqual(cfg.spec.providers[0]!.apiKeys, ['[redacted]', '[redacted]'])
  assert.equal(cfg.spec.providers[1]!.apiKeyFile, file)
  // a failed reload (the key file emptied) and a good one: log lines name the file, never a key
  writeFileSync(file, '')
  assert.equal((await gw.app.reload()).ok, false)
  writeFileSync(file, `${KEYS[2]}\n`)
  assert.equal((await gw.app.reload()).ok, true)
  assert.ok(lines.some((l) => l.includes('holds no key')), lines.join('\n'))
  noKey(lines.join('\n'), 'the log')
})

test('at most one of apiKey, apiKeys, apiKeyFile; errors name the fields, never the values', async (t) => {
  const dir = tempDir(t)
  const load = async (s: object) => {
    const f = join(dir, 'llmgw.config.json')
    writeFileSync(f, JSON.stringify(s))
    const r = await loadSpec({ file: f, cwd: dir })
    assert.equal(r.ok, false)
    const text = JSON.stringify(r)
    noKey(text, 'a validation error')
    return r.ok ? [] : r.problems.map((p) => p.message)
  }
  const two = await load(spec({ apiKey: KEYS[0], apiKeys: [KEYS[1]] }))
  assert.ok(two.some((m) => m.includes('give one of apiKey, apiKeys, apiKeyFile, not apiKey and apiKeys')), two.join('\n'))
  const three = await load(spec({ apiKeys: [KEYS[1]], apiKeyFile: './k' }))
  assert.ok(three.some((m) => m.includes('not apiKeys and apiKeyFile')), three.join('\n'))
  const empty = await load(spec({ apiKeys: [KEYS[0], ''] }))
  assert.ok(empty.some((m) => /apiKeys\[1\].*key is empty/.test(m)), empty.join('\n'))
  // a key where a list belongs: the message must not quote it
  const notList = await load(spec({ apiKeys: KEYS[0] }))
  assert.ok(notList.some((m) => m.includes('apiKeys')), notList.join('\n'))
  const none = await load(spec({ apiKeys: [] }))
  assert.ok(none.some((m) => m.includes('needs at least one key')), none.join('\n'))
  const strategy = await load(spec({ apiKeys: ['${env:X:-a}'], keyStrategy: 'random' }))
  assert.ok(strategy.some((m) => m.includes('keyStrategy')), strategy.join('\n'))
})

test('lint: literal pool keys are plaintext-secret warnings (by index, no value); a missing apiKeyFile is an error', async (t) => {
  const dir = tempDir(t)
  const f = join(dir, 'a.json')
  writeFileSync(f, JSON.stringify({ ...spec({ apiKeys: ['${env:K1}', KEYS[1]] }) }))
  const [r] = await lintFileSet([f], dir, { ...process.env, K1: 'x' })
  const plain = r!.problems.filter((p) => p.rule === 'plaintext-secret')
  assert.equal(plain.length, 1, JSON.stringify(r!.problems))
  noKey(JSON.stringify(r!.problems), 'lint output')
  const g = join(dir, 'b.json')
  writeFileSync(g, JSON.stringify(spec({ apiKeyFile: './missing-keys' })))
  const [m] = await lintFileSet([g], dir)
  assert.ok(m!.problems.some((p) => p.rule === 'missing-file' && p.severity === 'error' && p.message.includes('missing-keys')), JSON.stringify(m!.problems))
})

test('llmgw diff: a rotated pool key is "changed", a grown pool says how many keys, values never shown', async (t) => {
  const dir = tempDir(t)
  const a = join(dir, 'a.json')
  const b = join(dir, 'b.json')
  const c = join(dir, 'c.json')
  writeFileSync(a, JSON.stringify(spec({ apiKeys: [KEYS[0], KEYS[1]] })))
  writeFileSync(b, JSON.stringify(spec({ apiKeys: [KEYS[0], KEYS[2]] })))
  writeFileSync(c, JSON.stringify(spec({ apiKeys: KEYS, keyStrategy: 'least-rate-limited' })))
  const run = async (x: string, y: string): Promise<string> => {
    let out = ''
    await runDiff(x, y, { format: 'json', exitCode: false }, { cwd: dir, env: process.env, stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (out += s) } })
    return out
  }
  const rotated = await run(a, b)
  noKey(rotated, 'diff output')
  const changes = (JSON.parse(rotated) as { changes: Array<{ path: string; kind: string; after?: string }> }).changes
  const row = changes.find((ch) => ch.path === 'providers[up].apiKeys')
  assert.ok(row, rotated)
  assert.equal(row.kind, 'changed')
  assert.equal(row.after, 'changed')
  const grown = await run(a, c)
  noKey(grown, 'diff output')
  assert.match(grown, /the key pool has 3 key\(s\), was 2/)
  assert.match(grown, /keyStrategy/)
  assert.equal(await run(a, a).then((o) => (JSON.parse(o) as { changes: unknown[] }).changes.length), 0)
})
