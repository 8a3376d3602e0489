/** Scenario files (bench/scenarios, SPEC §2 `bench --scenario`): built-ins load; bad files get line:col problems. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { listScenarios, loadScenario, parseScenario, resolveScenario, scenarioModels } from './scenario.js'

test('every built-in scenario loads, and the issue-7 set is there', () => {
  const names = listScenarios()
  for (const n of ['chat', 'chat-stream', 'embeddings', 'mixed', 'cache-hit']) assert.ok(names.includes(n), n)
  for (const n of names) {
    const r = loadScenario(resolveScenario(n))
    assert.ok(r.ok, `${n}: ${r.ok ? '' : JSON.stringify(r.problems)}`)
    assert.equal(r.scenario.name, n)
    assert.equal(r.scenario.file, `bench/scenarios/${n}.json`)
  }
})

test('chat-stream streams; mixed sends several models round-robin with a key; cache-hit needs the cache', () => {
  const get = (n: string) => { const r = loadScenario(resolveScenario(n)); assert.ok(r.ok); return r.scenario }
  assert.equal(get('chat-stream').stream, true)
  const mixed = get('mixed')
  assert.ok(mixed.bodies.length > 1)
  assert.deepEqual(scenarioModels(mixed).sort(), ['mock-1', 'mock-2', 'mock-3'])
  assert.match(mixed.headers.authorization ?? '', /^Bearer /)
  assert.deepEqual(get('cache-hit').requires, ['cache'])
})

test('unknown fields, wrong types and bad values are reported at their line:col', () => {
  const src = '{\n  "name": "x",\n  "method": "FETCH",\n  "path": "v1/chat",\n  "bodyy": {},\n  "connections": 0\n}\n'
  const r = parseScenario(src, 'bad.json')
  assert.equal(r.ok, false)
  if (r.ok) return
  const at = r.problems.map((p) => `${p.line}:${p.col} ${p.message.split(' ')[0]}`)
  assert.deepEqual(at, ['1:1 \'body\'', '3:13 \'method\'', '4:11 \'path\'', '5:3 unknown', '6:18 \'connections\''])
  assert.ok(r.problems.every((p) => p.file === 'bad.json'))
})

test('a JSON syntax error has a position and never throws', () => {
  const r = parseScenario('{\n  "name": "x",\n  "path": \n}', 'broken.json')
  assert.equal(r.ok, false)
  if (r.ok) return
  assert.ok(r.problems[0]!.line >= 1 && r.problems[0]!.col >= 1)
  for (const junk of ['', '[]', '42', 'null', '{"body": 1, "bodies": []}', '\u0000{']) {
    const x = parseScenario(junk, 'junk.json')
    assert.equal(x.ok, false, junk)
  }
})

test('a JSON syntax error is reported where it is, not at 1:1', () => {
  const where = (src: string) => {
    const r = parseScenario(src, 'bad.json')
    assert.equal(r.ok, false)
    return r.ok ? [] : r.problems.map((p) => `${p.line}:${p.col}`)
  }
  // The audit's files: a doubled comma, then a missing comma between two members.
  assert.equal(where('{\n  "name": "x",\n  "requests": [ {"method": "POST",, } ]\n}\n')[0], '3:35')
  assert.equal(where('{\n  "name": "x",\n  "requests": [\n    {"method": "POST" "path": "/v1/chat/completions"}\n  ]\n}\n')[0], '4:23')
  assert.equal(where('{\n  "name": "x",\n  "path": "/x",\n  "body": {"a": 1,,}\n}\n')[0], '4:19')
})

test('body and bodies are exclusive; bodies round-robin keeps order; strings pass through', () => {
  const both = parseScenario('{"name":"a","path":"/x","body":{},"bodies":[{}]}', 'a.json')
  assert.equal(both.ok, false)
  const ok = parseScenario('{"name":"a","path":"/x","bodies":[{"model":"m1"},"raw text"],"duration":"3s"}', 'a.json')
  assert.ok(ok.ok)
  assert.deepEqual(ok.scenario.bodies, ['{"model":"m1"}', 'raw text'])
  assert.equal(ok.scenario.durationMs, 3000)
})

test('an unreadable scenario names the built-ins', () => {
  const r = loadScenario(resolveScenario('no-such-scenario'))
  assert.equal(r.ok, false)
  if (!r.ok) assert.match(r.problems[0]!.message, /ENOENT.*chat-stream/)
})
