/** Spec watcher (SPEC §6): the three save styles, bursts, deletion, referenced files, clean close. */
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { watchSpec, type SpecWatcher } from './watch.js'

interface Probe {
  changes: string[]
  warnings: string[]
  w: SpecWatcher
}

function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'llmgw-watch-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

async function start(t: TestContext, file: string, extraFiles: string[] = []): Promise<Probe> {
  const p: Probe = { changes: [], warnings: [], w: undefined as unknown as SpecWatcher }
  p.w = watchSpec({
    file,
    extraFiles,
    onChange: (r) => void p.changes.push(r),
    onWarning: (m) => void p.warnings.push(m),
  })
  t.after(() => p.w.close())
  await p.w.ready
  await sleep(350) // let the post-ready check and its follow-up settle so it cannot be mistaken for a change
  p.changes.length = 0
  return p
}

/** Polls until cond() holds, failing after a deadline instead of hanging. */
async function waitFor(cond: () => boolean, what: string, deadlineMs = 4000): Promise<void> {
  const until = Date.now() + deadlineMs
  while (!cond()) {
    if (Date.now() > until) assert.fail(`timed out waiting for ${what}`)
    await sleep(20)
  }
}

test('an in-place write is seen', async (t) => {
  const dir = tempDir(t)
  const file = join(dir, 'llmgw.config.yaml')
  writeFileSync(file, 'version: 1\n')
  const p = await start(t, file)
  writeFileSync(file, 'version: 1\n# edited\n')
  await waitFor(() => p.changes.length > 0, 'onChange')
  assert.match(p.changes[0]!, /changed: .*llmgw\.config\.yaml/)
})

test('an editor save by rename (temp file renamed over) is seen', async (t) => {
  const dir = tempDir(t)
  const file = join(dir, 'llmgw.config.yaml')
  writeFileSync(file, 'version: 1\n')
  const p = await start(t, file)
  const tmp = join(dir, '.llmgw.config.yaml.swp')
  writeFileSync(tmp, 'version: 1\nmodels: []\n')
  renameSync(tmp, file)
  await waitFor(() => p.changes.length > 0, 'onChange')
  assert.match(p.changes[0]!, /llmgw\.config\.yaml/)
})

test('a Kubernetes ConfigMap swap (..data symlink renamed over) is seen', async (t) => {
  const dir = tempDir(t)
  mkdirSync(join(dir, '..2026_01_01_00_00_00.1'))
  writeFileSync(join(dir, '..2026_01_01_00_00_00.1', 'config.yaml'), 'version: 1\n')
  symlinkSync('..2026_01_01_00_00_00.1', join(dir, '..data'))
  symlinkSync('..data/config.yaml', join(dir, 'config.yaml'))
  const p = await start(t, join(dir, 'config.yaml'))

  // What the kubelet does: new timestamped dir, new ..data_tmp symlink, atomic rename over ..data, old dir removed.
  mkdirSync(join(dir, '..2026_01_01_00_01_00.2'))
  writeFileSync(join(dir, '..2026_01_01_00_01_00.2', 'config.yaml'), 'version: 1\n# v2\n')
  symlinkSync('..2026_01_01_00_01_00.2', join(dir, '..data_tmp'))
  renameSync(join(dir, '..data_tmp'), join(dir, '..data'))
  rmSync(join(dir, '..2026_01_01_00_00_00.1'), { recursive: true })
  await waitFor(() => p.changes.length > 0, 'onChange after the first swap')

  // And a second swap, now that the watched real path has moved once.
  p.changes.length = 0
  mkdirSync(join(dir, '..2026_01_01_00_02_00.3'))
  writeFileSync(join(dir, '..2026_01_01_00_02_00.3', 'config.yaml'), 'version: 1\n# v3\n')
  symlinkSync('..2026_01_01_00_02_00.3', join(dir, '..data_tmp'))
  renameSync(join(dir, '..data_tmp'), join(dir, '..data'))
  rmSync(join(dir, '..2026_01_01_00_01_00.2'), { recursive: true })
  await waitFor(() => p.changes.length > 0, 'onChange after the second swap')
  assert.deepEqual(p.warnings, [])
})

test('100 writes in a second give a few onChange calls, the last one seeing the last write', async (t) => {
  const dir = tempDir(t)
  const file = join(dir, 'spec.yaml')
  writeFileSync(file, 'version: 1\n')
  const seen: string[] = []
  const w = watchSpec({ file, onChange: () => void seen.push(readFileSync(file, 'utf8')) })
  t.after(() => w.close())
  await w.ready
  await sleep(350)
  seen.length = 0
  const started = Date.now()
  for (let i = 0; i < 100; i++) {
    writeFileSync(file, `version: 1\n# write ${i}\n`)
    await sleep(10)
  }
  // Under a continuous stream the watcher still checks every 500 ms; a busy machine stretches the burst.
  const allowed = 3 + Math.ceil((Date.now() - started) / 500)
  await waitFor(() => seen.at(-1) === 'version: 1\n# write 99\n', 'an onChange that sees the final content')
  await sleep(400)
  assert.ok(seen.length >= 1 && seen.length <= allowed, `expected a few calls (<= ${allowed}), got ${seen.length}`)
})

test('a deleted spec warns and keeps watching; its return is a change', async (t) => {
  const dir = tempDir(t)
  const file = join(dir, 'spec.yaml')
  writeFileSync(file, 'version: 1\n')
  const p = await start(t, file)
  unlinkSync(file)
  await waitFor(() => p.warnings.length > 0, 'onWarning')
  assert.match(p.warnings[0]!, /spec file .*spec\.yaml is missing/)
  assert.deepEqual(p.changes, [])
  writeFileSync(file, 'version: 1\n# back\n')
  await waitFor(() => p.changes.length > 0, 'onChange when it comes back')
  assert.match(p.changes[0]!, /reappeared: .*spec\.yaml/)
})

test('referenced files in other directories are watched and can be replaced', async (t) => {
  const dir = tempDir(t)
  mkdirSync(join(dir, 'certs'))
  const file = join(dir, 'spec.yaml')
  const pem = join(dir, 'certs', 'jwt.pem')
  const words = join(dir, 'certs', 'words.txt')
  writeFileSync(file, 'version: 1\n')
  writeFileSync(pem, 'a')
  writeFileSync(words, 'a')
  const p = await start(t, file, [pem])
  writeFileSync(pem, 'b')
  await waitFor(() => p.changes.length > 0, 'onChange for the pem')
  assert.match(p.changes[0]!, /jwt\.pem/)

  p.w.setExtraFiles([words])
  p.changes.length = 0
  writeFileSync(words, 'b')
  await waitFor(() => p.changes.length > 0, 'onChange for the words file')
  assert.match(p.changes[0]!, /words\.txt/)
  p.changes.length = 0
  writeFileSync(pem, 'c') // no longer referenced
  await sleep(300)
  assert.deepEqual(p.changes, [])
})

test('unrelated files in the same directory do not trigger onChange', async (t) => {
  const dir = tempDir(t)
  const file = join(dir, 'spec.yaml')
  writeFileSync(file, 'version: 1\n')
  const p = await start(t, file)
  writeFileSync(join(dir, 'other.txt'), 'x')
  writeFileSync(join(dir, 'other.txt'), 'y')
  await sleep(300)
  assert.deepEqual(p.changes, [])
})

test('a slow onChange is never overlapped, and a change during it is checked afterwards', async (t) => {
  const dir = tempDir(t)
  const file = join(dir, 'spec.yaml')
  writeFileSync(file, 'version: 1\n')
  let active = 0
  let maxActive = 0
  let calls = 0
  const w = watchSpec({
    file,
    debounceMs: 20,
    onChange: async () => {
      calls++
      maxActive = Math.max(maxActive, ++active)
      await sleep(200)
      active--
    },
  })
  t.after(() => w.close())
  await w.ready
  await sleep(60)
  writeFileSync(file, 'version: 1\n# a\n')
  await waitFor(() => calls === 1, 'first onChange')
  writeFileSync(file, 'version: 1\n# b\n')
  await waitFor(() => calls === 2, 'second onChange after the first finished')
  assert.equal(maxActive, 1)
})

test('close() releases every fs handle, and no onChange comes after it', async (t) => {
  const dir = tempDir(t)
  const file = join(dir, 'spec.yaml')
  writeFileSync(file, 'version: 1\n')
  // fs handles only: timers of other tests' leftovers (and chokidar's 50 ms throttles) make a Timeout count noisy;
  // our own timers are proven gone by the silence after close below.
  const count = () => process.getActiveResourcesInfo().filter((r) => r === 'FSEventWrap' || r === 'StatWatcher').length
  await sleep(100)
  const before = count()
  let changes = 0
  const w = watchSpec({ file, debounceMs: 20, onChange: () => void changes++ })
  await w.ready
  writeFileSync(file, 'version: 1\n# pending\n') // leave a debounce timer pending at close
  await sleep(5)
  assert.ok(count() > before, 'the watcher holds handles while open')
  await w.close()
  await w.close() // idempotent
  await sleep(50)
  assert.ok(count() <= before, `handles after close: ${count()}, before: ${before} (${process.getActiveResourcesInfo().join(', ')})`)
  writeFileSync(file, 'version: 1\n# after close\n')
  await sleep(150)
  assert.equal(changes, 0)
})

test('a removed and recreated spec directory is followed, and nothing leaks after rewatching', async (t) => {
  const dir = tempDir(t)
  const conf = join(dir, 'conf')
  const file = join(conf, 'spec.yaml')
  const count = () => process.getActiveResourcesInfo().filter((r) => r === 'FSEventWrap' || r === 'StatWatcher').length
  await sleep(100)
  const before = count()
  const p = await start(t, file) // the directory does not exist yet
  mkdirSync(conf)
  writeFileSync(file, 'version: 1\n')
  await waitFor(() => p.changes.length > 0, 'onChange when the file first appears')
  rmSync(conf, { recursive: true })
  await waitFor(() => p.warnings.length > 0, 'onWarning when the directory goes')
  p.changes.length = 0
  mkdirSync(conf)
  writeFileSync(file, 'version: 1\n# again\n')
  await waitFor(() => p.changes.length > 0, 'onChange when it comes back')
  assert.match(p.changes[0]!, /reappeared/)
  p.w.setExtraFiles([join(dir, 'words.txt')])
  await p.w.close()
  await sleep(50)
  assert.ok(count() <= before, `fs handles after close: ${count()}, before: ${before}`)
})
