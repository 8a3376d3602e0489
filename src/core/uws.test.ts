/** core/uws.ts: native uWS loads; the pure-JS fallback is refused with a clear message (issue 3 item 2). */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { loadUws } from './uws.js'

const uwsModule = fileURLToPath(new URL('./uws.js', import.meta.url))

/** A tiny script that loads uWS the way serve does, in a child with the given environment. */
function runLoader(env: Record<string, string>) {
  const script = `import(${JSON.stringify(uwsModule)}).then((m) => { m.loadUws(); console.log('loaded') })`
  return spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 20_000,
  })
}

test('loads the native binary here (it is in require.cache) and caches the module', () => {
  const a = loadUws()
  assert.equal(typeof a.App, 'function')
  assert.equal(loadUws(), a)
})

test('UWS_USE_FALLBACK=1: refuses with what happened, the Node ABI and what to do; exit code non-zero', () => {
  const r = runLoader({ UWS_USE_FALLBACK: '1' })
  assert.notEqual(r.status, 0)
  assert.doesNotMatch(r.stdout, /loaded/)
  assert.match(r.stderr, /UwsLoadError/)
  assert.match(r.stderr, /UWS_USE_FALLBACK/)
  assert.match(r.stderr, new RegExp(`ABI ${process.versions.modules}`))
  assert.match(r.stderr, /Node 16, 18 or 20/)
  assert.match(r.stderr, /github:uNetworking\/uWebSockets\.js/)
})

test('without the switch the same script loads (the refusal above is about the fallback, not the script)', () => {
  const r = runLoader({ UWS_USE_FALLBACK: '' })
  assert.equal(r.status, 0, r.stderr)
  assert.match(r.stdout, /loaded/)
})
