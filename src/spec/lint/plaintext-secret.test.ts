/** plaintext-secret beyond the fixture: header values and URL credentials are found, located, and never echoed. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { parseSpecText } from '../parse.js'

function findings(text: string): string[] {
  const r = parseSpecText(text, 'spec.yaml', { TOKEN: 'from-env-value', PASS: 'from-env-pass' })
  const all = r.ok ? r.warnings : r.problems
  return all.filter((p) => p.rule === 'plaintext-secret').map((p) => `${p.line}:${p.col} ${p.message}`)
}

const SECRETS = ['HDR-AUTH-1111', 'HDR-KEY-2222', 'sk-VALUELOOKS-3333', 'URLPASS-4444', 'QUERYKEY-5555', 'OTLPPASS-6666', 'OTLPHDR-7777', 'JWKSTOKEN-8888', 'FRAG-9999', 'REDISQ-0000']

const SPEC = `version: 1
providers:
  - name: up
    type: openai
    apiKey: \${env:TOKEN}
    baseUrl: "https://user:URLPASS-4444@up.example/v1?api-version=1&api-key=QUERYKEY-5555"
    headers:
      authorization: "Bearer HDR-AUTH-1111"
      x-api-key: HDR-KEY-2222
      x-custom: "sk-VALUELOOKS-3333"
      anthropic-version: "2023-06-01"
      x-max-tokens: "100"
      openai-organization: org-plain
      api-key: \${env:TOKEN}
      x-auth-token: "Bearer \${env:TOKEN}"
  - name: envurl
    type: openai
    apiKey: \${env:TOKEN}
    baseUrl: "https://user:\${env:PASS}@up2.example/v1?api-key=\${env:TOKEN}"
models:
  - { name: m, targets: [{ provider: up, model: m }, { provider: envurl, model: m }] }
auth:
  jwt: { jwksUrl: "https://idp.example/jwks.json?access_token=JWKSTOKEN-8888#sig=FRAG-9999" }
state:
  redis: { url: "redis://r.example:6379/0?password=REDISQ-0000" }
observability:
  tracing:
    otlpEndpoint: "https://otel:OTLPPASS-6666@otel.example:4318/v1/traces"
    headers: { Authorization: "Basic OTLPHDR-7777", x-team: platform }
`

test('credential headers, URL passwords and key-like query values are reported where they are written', () => {
  assert.deepEqual(findings(SPEC), [
    "6:14 providers[0].baseUrl: secret written in plain text: the URL holds a credential (the password in its userinfo, query parameter 'api-key'); use ${env:NAME}",
    "8:22 providers[0].headers.authorization: secret written in plain text: header 'authorization' carries a credential; use ${env:NAME}",
    "9:18 providers[0].headers.x-api-key: secret written in plain text: header 'x-api-key' carries a credential; use ${env:NAME}",
    "10:17 providers[0].headers.x-custom: secret written in plain text: header 'x-custom' carries a credential; use ${env:NAME}",
    "23:19 auth.jwt.jwksUrl: secret written in plain text: the URL holds a credential (query parameter 'access_token', fragment parameter 'sig'); use ${env:NAME}",
    "25:17 state.redis.url: secret written in plain text: the URL holds a credential (query parameter 'password'); use ${env:NAME}",
    "28:19 observability.tracing.otlpEndpoint: secret written in plain text: the URL holds a credential (the password in its userinfo); use ${env:NAME}",
    "29:31 observability.tracing.headers.Authorization: secret written in plain text: header 'Authorization' carries a credential; use ${env:NAME}",
  ])
})

test('no finding echoes the secret it found', () => {
  const all = findings(SPEC).join('\n')
  for (const s of SECRETS) assert.ok(!all.includes(s), `${s} echoed`)
})

test('values from ${env:...}, URLs without credentials and ordinary headers are not findings', () => {
  const clean = SPEC.replace(/^( {6}(authorization|x-api-key|x-custom)): .*$/gm, '$1: ${env:TOKEN}')
    .replace('user:URLPASS-4444@', '').replace('&api-key=QUERYKEY-5555', '')
    .replace('?access_token=JWKSTOKEN-8888#sig=FRAG-9999', '')
    .replace('?password=REDISQ-0000', '')
    .replace('otel:OTLPPASS-6666@', '').replace('Basic OTLPHDR-7777', 'Basic ${env:TOKEN}')
  assert.deepEqual(findings(clean), [])
})
