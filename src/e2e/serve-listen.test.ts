/** `llmgw serve` on a port that is taken (SPEC §2, QA F20): exit 1 with one clear line, no doubled prefix. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { spawnCli } from '../testing/cli-child.js'

test('a busy port: serve exits 1 saying it cannot listen, with a single "llmgw serve:" prefix', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'llmgw-listen-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  const busy = createServer()
  await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r))
  t.after(() => new Promise<void>((r) => busy.close(() => r())))
  const port = (busy.address() as { port: number }).port
  const child = spawnCli(['serve', '--port', String(port), '--no-watch', '--no-dashboard'], { cwd: dir, t })
  assert.equal(await child.exited, 1)
  const err = child.stderr()
  assert.match(err, new RegExp(`^llmgw serve: cannot listen on 127\\.0\\.0\\.1:${port} \\(port in use`, 'm'))
  assert.ok(!err.includes('llmgw serve: llmgw:'), err)
})
