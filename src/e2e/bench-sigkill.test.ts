/** `llmgw bench`/`profile` SIGKILLed (SPEC §2 `bench`: no orphans): its mock and gateway exit on their own; the next run removes its temp dir. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { isAlive } from '../bench/proc.js'

const stackModule = new URL('../bench/stack.js', import.meta.url).href
const scenarioModule = new URL('../bench/scenario.js', import.meta.url).href

// A parent that starts a real stack (llmgw mock + llmgw serve, as bench does), prints the pids and its temp dir, then idles.
const PARENT = `
const st = await import(${JSON.stringify(stackModule)})
const sc = await import(${JSON.stringify(scenarioModule)})
const r = sc.loadScenario(sc.resolveScenario('chat'))
if (!r.ok) throw new Error('no chat scenario')
const s = await st.startStack({ scenarios: [r.scenario] })
console.log(JSON.stringify({ pids: [s.mock.pid, s.gateway.pid], dir: s.dir }))
setInterval(() => {}, 1000)
`

// Gone = kill(pid, 0) fails with ESRCH, or a zombie: an orphan that exited waits for init to reap it, which is not ours.
const alive = (pid: number): boolean => {
  try { process.kill(pid, 0); return isAlive(pid) } catch { return false }
}

async function waitGone(pids: number[], withinMs: number): Promise<number[]> {
  const end = Date.now() + withinMs
  while (pids.some(alive) && Date.now() < end) await new Promise((r) => setTimeout(r, 50))
  return pids.filter(alive)
}

test('the bench parent SIGKILLed: mock and gateway exit within seconds; a later run removes the temp dir', { skip: process.platform !== 'linux' && 'needs /proc', timeout: 60_000 }, async () => {
  const parent = spawn(process.execPath, ['--input-type=module', '-e', PARENT], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  parent.stderr.on('data', (d: Buffer) => { stderr += d })
  const first = await new Promise<string>((resolve, reject) => {
    createInterface({ input: parent.stdout }).once('line', resolve)
    parent.once('exit', (c) => reject(new Error(`the parent exited (${c}) before starting the stack:\n${stderr}`)))
  })
  const { pids, dir } = JSON.parse(first) as { pids: number[]; dir: string }
  assert.equal(pids.length, 2)
  assert.deepEqual(pids.filter((p) => !alive(p)), [], 'both children run before the kill')
  const exited = new Promise((r) => parent.once('exit', r))
  parent.kill('SIGKILL')
  await exited
  // no exit hook runs on SIGKILL: only the children themselves can notice
  assert.deepEqual(await waitGone(pids, 5000), [], 'mock and gateway outlived their SIGKILLed parent')
  // SIGKILL leaves the temp dir (nothing of the parent runs); the next run's sweep removes it. Another test's bench
  // run may sweep it first (tests run two files at a time), so what is checked is that it is gone afterwards.
  const { sweepStaleTempDirs } = (await import(stackModule)) as typeof import('../bench/stack.js')
  const removed = sweepStaleTempDirs()
  assert.equal(existsSync(dir), false, `the dead run's dir is swept (this sweep removed: ${removed.join(', ') || 'nothing'})`)
  assert.equal(existsSync(dir), false)
})

test('sweepStaleTempDirs keeps the dirs of running processes', async () => {
  const { mkdtempSync, rmSync } = await import('node:fs')
  const { tmpdir } = await import('node:os')
  const { join } = await import('node:path')
  const { sweepStaleTempDirs } = await import('../bench/stack.js')
  const mine = mkdtempSync(join(tmpdir(), `llmgw-bench-${process.pid}-`))
  try {
    sweepStaleTempDirs()
    assert.equal(existsSync(mine), true)
  } finally {
    rmSync(mine, { recursive: true, force: true })
  }
})
