/** Child processes of bench/profile (SPEC §2 `bench`): URL from the listening line, clear start errors, no orphans. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { packageRoot } from '../core/package-root.js'
import { liveChildPids, parseListening, spawnChild, stopAll } from './children.js'
import { childPids, isAlive, sampleProc } from './proc.js'

const proxy = (): string => join(packageRoot(), 'bench', 'proxies', 'node-http-undici.mjs')

async function gone(pid: number, withinMs = 5000): Promise<boolean> {
  const end = Date.now() + withinMs
  while (Date.now() < end) {
    if (!isAlive(pid)) return true
    await new Promise((r) => setTimeout(r, 50))
  }
  return !isAlive(pid)
}

test('parseListening reads mock, serve (JSON log) and proxy lines', () => {
  assert.equal(parseListening('llmgw mock listening on http://127.0.0.1:4000'), 'http://127.0.0.1:4000')
  assert.equal(parseListening('{"level":30,"msg":"listening","url":"http://127.0.0.1:5000","spec":"x"}'), 'http://127.0.0.1:5000')
  assert.equal(parseListening('listening on http://127.0.0.1:6000'), 'http://127.0.0.1:6000')
  assert.equal(parseListening('{"msg":"request","url":"http://127.0.0.1:1"}'), undefined)
  assert.equal(parseListening('{not json'), undefined)
})

test('a started child reports its URL and pid, has /proc figures, and is gone after stop()', async () => {
  const c = await spawnChild({ name: 'proxy', script: proxy(), args: ['--port', '0', '--upstream', 'http://127.0.0.1:9'] })
  assert.match(c.url, /^http:\/\/127\.0\.0\.1:\d+$/)
  assert.ok(liveChildPids().includes(c.pid))
  const s = sampleProc(c.pid)
  if (process.platform === 'linux') assert.ok(s && s.rssBytes > 0 && s.cpuSeconds >= 0)
  await c.stop()
  assert.equal(await gone(c.pid), true)
  assert.ok(!liveChildPids().includes(c.pid))
})

test('a child that exits before listening is a clear error with its output', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'llmgw-children-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const f = join(dir, 'fail.mjs')
  writeFileSync(f, "console.error('boom: bad spec at 3:7'); process.exit(1)\n")
  await assert.rejects(spawnChild({ name: 'gateway', script: f, args: [] }), /gateway exited \(1\) before listening[\s\S]*boom: bad spec at 3:7/)
})

test('a child that never listens is killed after the start timeout', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'llmgw-children-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const f = join(dir, 'silent.mjs')
  writeFileSync(f, 'console.log(process.pid); setInterval(() => {}, 1000)\n')
  await assert.rejects(spawnChild({ name: 'silent', script: f, args: [], startTimeoutMs: 800 }), /silent did not print its listening line within 800 ms/)
  await stopAll()
  assert.deepEqual(childPids(process.pid).filter((p) => isAlive(p)), [])
})

test('no orphans: a process that dies with children up (process.exit) takes them along', async () => {
  const script = `
    const { spawnChild } = await import(${JSON.stringify(new URL('./children.js', import.meta.url).href)})
    const c = await spawnChild({ name: 'proxy', script: ${JSON.stringify(proxy())}, args: ['--port', '0', '--upstream', 'http://127.0.0.1:9'] })
    console.log(c.pid)
    process.exit(3)
  `
  const p = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] })
  let out = ''
  p.stdout.on('data', (d: Buffer) => { out += d })
  const code = await new Promise<number | null>((r) => p.on('exit', r))
  assert.equal(code, 3)
  const pid = Number(out.trim())
  assert.ok(pid > 0, `child pid printed: ${out}`)
  assert.equal(await gone(pid), true, `child ${pid} outlived its parent`)
})
