/** specVersion and referencedFiles: stable, secret-sensitive hashes; absolute referenced paths (SPEC §5, §6). */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { defaultSpec } from './default.js'
import { parseSpecText } from './parse.js'
import { referencedFiles } from './referenced-files.js'
import { specVersion } from './version.js'

const spec = (key: string, extra = '') =>
  parseSpecText(`version: 1
providers:
  - { name: o, type: openai, apiKey: "\${env:K}", timeout: 5s }
models:
  - { name: m, targets: [{ provider: o, model: x }] }
${extra}`, '/etc/llmgw/spec.yaml', { K: key })

test('the version is 12 hex chars, stable across loads and key order', () => {
  const a = spec('one')
  const b = parseSpecText('models: [{ targets: [{ model: x, provider: o }], name: m }]\nproviders: [{ timeout: 5000, apiKey: "${env:K}", type: openai, name: o }]\nversion: 1\n', 'x.yaml', { K: 'one' })
  assert.ok(a.ok && b.ok)
  assert.match(a.version, /^[0-9a-f]{12}$/)
  assert.equal(a.version, b.version)
  assert.equal(specVersion(a.spec), a.version)
})

test('changing a secret changes the version without revealing it', () => {
  const a = spec('one')
  const b = spec('two')
  assert.ok(a.ok && b.ok)
  assert.notEqual(a.version, b.version)
})

test('the embedded default is valid and has no warnings', () => {
  const d = defaultSpec()
  assert.ok(d.ok, JSON.stringify(d))
  assert.deepEqual(d.warnings, [])
})

test('referencedFiles lists wordsFile and publicKeyFile as absolute paths', () => {
  const r = parseSpecText(`version: 1
providers: [{ name: sim, type: mock }]
models: [{ name: m, targets: [{ provider: sim, model: x }] }]
auth: { jwt: { publicKeyFile: ./keys/jwt.pem } }
keys: [{ id: a, hash: "sha256:${'0'.repeat(64)}" }]
rules: [{ type: content-filter, wordsFile: ../words.txt }]
`, '/etc/llmgw/spec.yaml', {})
  // missing-file makes this a failed load; the references are still what the watcher needs, so build the spec by hand.
  assert.ok(!r.ok)
  assert.deepEqual(r.problems.map((p) => p.rule), ['missing-file', 'missing-file'])
  const d = defaultSpec()
  assert.ok(d.ok)
  const withFiles = {
    ...d.spec,
    rules: [{ type: 'content-filter' as const, wordsFile: '../words.txt', action: 'block' as const, scope: ['request' as const] }],
    auth: { required: false, jwt: { publicKeyFile: '/abs/jwt.pem', keyClaim: 'sub', clockTolerance: 30_000 } },
  }
  assert.deepEqual(referencedFiles(withFiles, '/etc/llmgw/spec.yaml').sort(), ['/abs/jwt.pem', '/etc/words.txt'])
  assert.deepEqual(referencedFiles(d.spec, '/etc/llmgw/spec.yaml'), [])
})
