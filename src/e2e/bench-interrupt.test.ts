/** `llmgw bench` interrupted (SPEC §2, issue 7 bad input): Ctrl-C and a gateway crash mid-run print partial results and leave no orphans. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { childPids } from '../bench/proc.js'
import { assertNoOrphans, runCli } from './bench-cli.js'

const cmdline = (pid: number): string => {
  try { return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ') } catch { return '' }
}

for (const [signal, what] of [['SIGINT', 'Ctrl-C'], ['SIGHUP', 'the terminal closing (SIGHUP)']] as const) test(`${what} during a run: partial table, exit 130, mock and gateway stopped`, { skip: process.platform !== 'linux' && 'needs /proc' }, async () => {
  let sent = false
  const r = await runCli(['bench', '--scenario', 'chat', '--duration', '30s', '--connections', '4'], {
    onStderr: (err, pid) => {
      if (sent || !err.includes('chat (1/1): gateway')) return
      sent = true
      setTimeout(() => process.kill(pid, signal), 1200)
    },
  })
  assert.equal(sent, true, r.stderr)
  assert.equal(r.code, 130, r.stderr)
  assert.match(r.stderr, /interrupted, stopping the run/)
  assert.match(r.stdout, /chat[\s\S]*│ gateway │/)
  assert.match(r.stdout, /interrupted: the figures above are partial/)
  assert.ok(r.children.length >= 2)
  await assertNoOrphans(r.children)
})

test('the gateway dies mid-bench: clear message with its exit, partial result, exit 1, the mock stopped', { skip: process.platform !== 'linux' && 'needs /proc' }, async () => {
  let killed = 0
  const r = await runCli(['bench', '--scenario', 'chat', '--duration', '30s', '--connections', '4', '--json'], {
    onStderr: (err, pid) => {
      if (killed || !err.includes('chat (1/1): gateway')) return
      killed = -1
      setTimeout(() => {
        const gw = childPids(pid).find((c) => cmdline(c).includes(' serve '))
        if (gw) { killed = gw; process.kill(gw, 'SIGKILL') }
      }, 1200)
    },
  })
  assert.ok(killed > 0, `found the gateway process (${r.stderr})`)
  assert.equal(r.code, 1, r.stderr)
  const doc = JSON.parse(r.stdout) as { interrupted: boolean; errors: string[]; scenarios: { gateway: { interrupted: boolean } | null }[] }
  assert.equal(doc.interrupted, true)
  assert.match(doc.errors.join('\n'), /llmgw serve exited \(SIGKILL\) during chat/)
  assert.match(r.stderr, /llmgw serve exited \(SIGKILL\)/)
  assert.ok(doc.scenarios[0]?.gateway, 'the partial gateway run is in the result')
  await assertNoOrphans(r.children)
})
