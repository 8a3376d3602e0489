/** `llmgw diff` never prints credentials held inside URLs or header maps, in any format, and still shows what moved. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { parseSpecText } from '../parse.js'
import type { Spec } from '../schema.js'
import { formatDiffTable } from '../../ui/diff-table.js'
import { createDiffDocument, formatDiffJson, formatDiffMarkdown } from './format.js'
import { diffSpecs } from './index.js'
import { redactUrl, urlCredentials } from './url.js'

function spec(text: string): Spec {
  const r = parseSpecText(text, 'spec.yaml', {})
  if (!r.ok) assert.fail(r.problems.map((p) => `${p.line}:${p.col} ${p.message}`).join('; '))
  return r.spec
}

/** All three formats of `llmgw diff old new` (the table wide enough not to cut cells, and at its default width). */
function render(a: Spec, b: Spec): Record<string, string> {
  const doc = createDiffDocument({ file: 'old.yaml', version: 'aaaaaaaaaaaa' }, { file: 'new.yaml', version: 'bbbbbbbbbbbb' }, diffSpecs(a, b))
  return {
    json: formatDiffJson(doc),
    markdown: formatDiffMarkdown(doc),
    table: formatDiffTable(doc, { color: false, width: 1000 }),
    narrowTable: formatDiffTable(doc, { color: false }),
  }
}

function assertNoSecret(out: Record<string, string>, secrets: readonly string[]): void {
  for (const [format, text] of Object.entries(out)) for (const s of secrets) assert.ok(!text.includes(s), `${format} shows ${s}:\n${text}`)
}

const doc = (v: 'OLD' | 'NEW', host: string) => `
version: 1
providers:
  - name: up
    type: openai
    baseUrl: "https://user:PW${v}-base@${host}/v1?api-key=QK${v}-base&region=eu"
    apiKey: sk-KEY${v}-provider
    headers: { authorization: "Bearer HDR${v}-provider" }
models:
  - { name: m, targets: [{ provider: up, model: m }] }
auth:
  jwt: { jwksUrl: "https://jwks:PW${v}-jwks@${host}/.well-known/jwks.json?token=QK${v}-jwks" }
state:
  store: redis
  redis: { url: "redis://:PW${v}-redis@${host}:6379/0" }
observability:
  tracing:
    otlpEndpoint: "https://otel:PW${v}-otlp@${host}:4318/v1/traces?signature=QK${v}-otlp#access_token=FR${v}-otlp"
    headers: { x-api-key: HDR${v}-otlp }
`

const SECRETS = ['OLD', 'NEW'].flatMap((v) =>
  ['PW%-base', 'QK%-base', 'sk-KEY%-provider', 'HDR%-provider', 'PW%-jwks', 'QK%-jwks', 'PW%-redis', 'PW%-otlp', 'QK%-otlp', 'FR%-otlp', 'HDR%-otlp'].map((s) => s.replace('%', v)),
)

test('every URL field changes host and credentials: no format shows a credential, every format shows the new host', () => {
  const out = render(spec(doc('OLD', 'old-host.example')), spec(doc('NEW', 'new-host.example')))
  assertNoSecret(out, SECRETS)
  for (const format of ['json', 'markdown', 'table'] as const) {
    const text = out[format]!
    for (const path of ['providers[up].baseUrl', 'auth.jwt.jwksUrl', 'observability.tracing.otlpEndpoint', 'state.redis.url']) assert.ok(text.includes(path), `${format} lacks ${path}`)
    assert.ok(text.includes('https://user:[redacted]@old-host.example/v1?api-key=[redacted]&region=eu'), `${format}: old baseUrl`)
    assert.ok(text.includes('https://user:[redacted]@new-host.example/v1?api-key=[redacted]&region=eu'), `${format}: new baseUrl`)
    assert.ok(text.includes('https://otel:[redacted]@new-host.example:4318/v1/traces?signature=[redacted]#access_token=[redacted]'), `${format}: new otlpEndpoint`)
    assert.ok(text.includes('new-host.example/.well-known/jwks.json?token=[redacted]'), `${format}: new jwksUrl`)
  }
})

test('only the credentials in a URL change: still a row, marked as such, with the values hidden', () => {
  const out = render(spec(doc('OLD', 'same-host.example')), spec(doc('NEW', 'same-host.example')))
  assertNoSecret(out, SECRETS)
  const rows = (JSON.parse(out.json!) as { changes: { path: string; before?: string; after?: string; note: string }[] }).changes
  for (const path of ['providers[up].baseUrl', 'auth.jwt.jwksUrl', 'observability.tracing.otlpEndpoint']) {
    const row = rows.find((r) => r.path === path)
    assert.ok(row, `no row for ${path}`)
    assert.notEqual(row.before, row.after, path)
    assert.match(row.after ?? '', /\(redacted part changed\)$/)
    assert.equal(row.note, 'credentials in the URL changed (same address)')
  }
  assert.ok(out.markdown!.includes('(redacted part changed)'))
  assert.ok(out.table!.includes('(redacted part changed)'))
})

test('whole sections and providers added or removed show no URL credentials or header values', () => {
  const bare = spec(`
version: 1
providers:
  - { name: plain, type: openai, apiKey: "\${env:K:-x}" }
models:
  - { name: m, targets: [{ provider: plain, model: m }] }
`)
  const full = spec(doc('NEW', 'h.example').replace('models:\n', 'models:\n  - { name: m2, targets: [{ provider: plain, model: m }] }\n').replace('providers:\n', 'providers:\n  - { name: plain, type: openai, apiKey: "${env:K:-x}" }\n'))
  for (const [a, b] of [[bare, full], [full, bare]] as const) {
    const out = render(a, b)
    assertNoSecret(out, SECRETS)
    assert.ok(out.json!.includes('openai https://user:[redacted]@h.example/v1?api-key=[redacted]&region=eu'), out.json)
    assert.ok(out.json!.includes('observability.tracing'), 'the tracing section row is there')
    assert.ok(out.json!.includes('h.example:4318/v1/traces'), 'the tracing endpoint host is shown')
  }
})

test('redactUrl: userinfo password (even with an @ in it), lone userinfo, credential-named query and fragment values', () => {
  assert.equal(redactUrl('http://u:p@ss@host:1/x?a=1'), 'http://u:[redacted]@host:1/x?a=1')
  assert.equal(redactUrl('https://ghp_TOKEN123@github.example/repo'), 'https://[redacted]@github.example/repo')
  assert.equal(redactUrl('redis://:pw@r:6379'), 'redis://:[redacted]@r:6379')
  assert.equal(redactUrl('https://h/x?api-key=K&x-goog-signature=S&sig=T&code=1#id_token=J'), 'https://h/x?api-key=[redacted]&x-goog-signature=[redacted]&sig=[redacted]&code=1#id_token=[redacted]')
  assert.equal(redactUrl('https://host.example:8443/v1'), 'https://host.example:8443/v1')
  assert.equal(redactUrl('not a url ?token=x'), 'not a url ?token=x')
  assert.deepEqual(urlCredentials('https://u:pw@h/?token=t').map((c) => c.where), ['the password in its userinfo', "query parameter 'token'"])
  assert.deepEqual(urlCredentials('https://u@h/?token='), [{ where: 'its userinfo', start: 8, end: 9 }])
})
