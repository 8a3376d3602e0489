/** `llmgw mock` as a process: one stdout line with the URL, serves, exits 0 on SIGTERM; bad flags exit 2. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'

// the compiled CLI beside this test (dist/ or a helper's dist-*/), so the test runs the code it was built with
const MAIN = fileURLToPath(new URL('../cli/main.js', import.meta.url))
const args = (a: string[]) => ['--input-type=module', '-e', `import(${JSON.stringify(MAIN)}).then((m) => m.main(['node', 'llmgw', ...${JSON.stringify(a)}]))`]

test('prints exactly "llmgw mock listening on http://HOST:PORT", answers, and exits 0 on SIGTERM', async (t) => {
  const child = spawn(process.execPath, args(['mock', '--port', '0', '--latency', '0ms']), { stdio: ['ignore', 'pipe', 'pipe'] })
  t.after(() => child.kill('SIGKILL'))
  let out = ''
  child.stdout.setEncoding('utf8')
  const line = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d: string) => {
      out += d
      if (out.includes('\n')) resolve(out)
    })
    child.once('exit', () => reject(new Error(`exited early: ${out}`)))
  })
  const m = /^llmgw mock listening on (http:\/\/127\.0\.0\.1:\d+)\n$/.exec(line)
  assert.ok(m, line)
  const r = await fetch(`${m[1]}/v1/models`)
  assert.equal(r.status, 200)
  await r.text()
  child.kill('SIGTERM')
  const [code] = (await once(child, 'exit')) as [number | null]
  assert.equal(code, 0)
  assert.equal(out, line, 'nothing else on stdout')
})

test('bad flags are usage errors (exit 2) with a clear message', () => {
  for (const [flag, value, words] of [
    ['--fail-rate', '2', /fail-rate/],
    ['--fail-rate', 'abc', /fail-rate/],
    ['--latency', 'abc', /latency/],
    ['--port', '-1', /port/],
  ] as const) {
    const r = spawnSync(process.execPath, args(['mock', flag, value]), { encoding: 'utf8', timeout: 10_000 })
    assert.equal(r.status, 2, `${flag} ${value}: ${r.stderr}`)
    assert.match(r.stderr, words)
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace')
  }
})
