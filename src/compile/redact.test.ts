/** /admin/config redaction (SPEC §4, QA F3): header values, URL passwords and Secrets never appear. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { startTestGateway } from '../testing/harness.js'
import { redactSpec, redactUrl } from './redact.js'

test('redactUrl hides the password, a lone token userinfo and secret-looking query values; plain URLs stay', () => {
  assert.equal(redactUrl('http://user:SECRETPASS@127.0.0.1:1/v1'), 'http://user:[redacted]@127.0.0.1:1/v1')
  assert.equal(redactUrl('redis://:pw@127.0.0.1:6379/0'), 'redis://:[redacted]@127.0.0.1:6379/0')
  assert.equal(redactUrl('https://tok123@api.example.com/v1'), 'https://[redacted]@api.example.com/v1')
  assert.equal(redactUrl('https://x.example.com/v1?api-version=1&api-key=abc#f'), 'https://x.example.com/v1?api-version=1&api-key=[redacted]#f')
  assert.equal(redactUrl('https://api.openai.com/v1'), 'https://api.openai.com/v1')
  assert.equal(redactUrl('a@b: not a url'), 'a@b: not a url')
})

test('GET /admin/config shows no provider header value, URL password, apiKey or redis password', async (t) => {
  const gw = await startTestGateway(
    {
      version: 1,
      providers: [
        { name: 'up', type: 'openai', baseUrl: 'http://user:SECRETPASS@127.0.0.1:1/v1', apiKey: 'sk-SECRETKEY', headers: { authorization: 'Bearer sk-SECRETUPSTREAM123' } },
      ],
      models: [{ name: 'm', targets: [{ provider: 'up', model: 'x' }] }],
    },
    { t },
  )
  const res = await fetch(`${gw.url}/admin/config`)
  assert.equal(res.status, 200)
  const text = await res.text()
  for (const secret of ['SECRETPASS', 'sk-SECRETKEY', 'SECRETUPSTREAM123']) assert.ok(!text.includes(secret), `${secret} leaked: ${text}`)
  const body = JSON.parse(text) as { spec: { providers: { baseUrl: string; headers: Record<string, string> }[] } }
  assert.equal(body.spec.providers[0]!.baseUrl, 'http://user:[redacted]@127.0.0.1:1/v1')
  assert.deepEqual(body.spec.providers[0]!.headers, { authorization: '[redacted]' })
})

test("a plugin rule's options are shown by name only: their values may be secrets the plugin was given", () => {
  const out = redactSpec({ rules: [{ type: 'plugin', module: '/p/x.mjs', options: { token: 'sk-PLUGIN-SECRET', routes: { fast: 'm' } } }, { type: 'deny', when: { model: 'm' }, message: 'no' }] }) as { rules: Array<Record<string, unknown>> }
  assert.deepEqual(out.rules[0], { type: 'plugin', module: '/p/x.mjs', options: { token: '[redacted]', routes: '[redacted]' } })
  assert.deepEqual(out.rules[1], { type: 'deny', when: { model: 'm' }, message: 'no' })
  assert.ok(!JSON.stringify(out).includes('sk-PLUGIN-SECRET'))
})
