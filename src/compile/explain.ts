/**
 * Prints what a spec compiles to (STYLE §2.4 "print what was compiled", `llmgw lint --explain`): the Plan as a tree:
 * routes, auth and keys, limits, providers with their protection, rules, experiments, batching, models with targets,
 * cache, rules, retries and fallbacks. Secrets never appear: Secret values print "[redacted]", keys print their id only,
 * header values and URL credentials are hidden (the same rules as /admin/config, compile/redact.ts).
 */
import { redactUrl } from '../core/url-secrets.js'
import type { ProviderConfig } from '../providers/config.js'
import type { ModelPlan, Plan, ProviderPlan, RulePlan } from './plan.js'
import { redactSpec } from './redact.js'

/** The proxied routes compileGateway serves (gateway.ts `proxied`). */
const ROUTES = [
  'POST /v1/chat/completions',
  'POST /v1/completions',
  'POST /v1/embeddings',
  'POST /v1/messages',
  'POST /v1/messages/count_tokens',
  'POST /v1/responses',
  'GET /v1/models',
  'GET /v1/models/{id}',
  'GET /v1/ws (WebSocket)',
]

/** A node of the printed tree: its line and its children. */
interface Node {
  readonly line: string
  readonly children?: readonly Node[]
}

const leaf = (line: string): Node => ({ line })

function render(nodes: readonly Node[], indent: string, out: string[]): void {
  nodes.forEach((n, i) => {
    const last = i === nodes.length - 1
    out.push(`${indent}${last ? '└─' : '├─'} ${n.line}`)
    if (n.children?.length) render(n.children, indent + (last ? '   ' : '│  '), out)
  })
}

/** Short, one line, quoted: prompts and messages can be long or hold newlines. */
const quote = (s: string, max = 60): string => JSON.stringify(s.length > max ? `${s.slice(0, max)}…` : s)
const ms = (n: number | undefined): string => (n === undefined ? '-' : `${n}ms`)
const fields = (o: Readonly<Record<string, unknown>> | undefined): string =>
  Object.entries(o ?? {})
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(' ')

/** " keys=2 round-robin" / " keys=file:/path least-rate-limited": how many keys, never which. */
const keyPool = (c: ProviderConfig): string =>
  c.apiKeyFile !== undefined ? ` keys=file:${c.apiKeyFile} ${c.keyStrategy ?? 'round-robin'}` : c.apiKeys !== undefined ? ` keys=${c.apiKeys.length} ${c.keyStrategy ?? 'round-robin'}` : ''

/** The Plan as an indented tree, like find-my-way's prettyPrint: for `lint --explain`, reviews and support tickets. */
export function formatPlanTree(plan: Plan): string {
  const out: string[] = []
  const s = plan.server
  out.push(`server ${s.host}:${s.port}  workers=${s.workers} maxBody=${s.maxBodyBytes}B timeout=${s.requestTimeoutMs}ms keepalive=${s.sseKeepaliveMs}ms shutdownGrace=${s.shutdownGraceMs}ms`)
  out.push(`admin ${plan.admin.port === undefined ? 'on the main port' : `port ${plan.admin.port}`}${plan.admin.token ? ' (token)' : ' (no token)'}  /healthz /readyz /metrics /admin/*`)
  out.push('routes')
  render(ROUTES.map(leaf), '', out)
  section(out, 'auth', authNodes(plan), plan.access.auth.required ? 'required' : 'off (every caller is anonymous)')
  section(out, 'limits', limitNodes(plan), 'none')
  section(out, 'providers', plan.providers.map(providerNode), 'none')
  section(out, 'rules', plan.rules.map((r, i) => leaf(`#${i} ${ruleLine(r)}`)), 'none')
  section(out, 'experiments', experimentNodes(plan), 'none')
  section(out, 'batching', plan.batching.embeddings ? [leaf(`embeddings maxBatch=${plan.batching.embeddings.maxBatch} maxWait=${ms(plan.batching.embeddings.maxWaitMs)}`)] : [], 'off')
  out.push('models')
  render(plan.models.map(modelNode), '', out)
  return out.join('\n')
}

/** The Plan as JSON, secrets redacted exactly as /admin/config shows them. */
export function planJson(plan: Plan): unknown {
  return redactSpec(plan)
}

function section(out: string[], title: string, nodes: readonly Node[], empty: string): void {
  if (nodes.length === 0) out.push(`${title} ${empty}`)
  else {
    out.push(title)
    render(nodes, '', out)
  }
}

function authNodes(plan: Plan): Node[] {
  const a = plan.access
  const nodes: Node[] = [leaf(`required=${a.auth.required}`)]
  for (const k of a.keys) {
    const l = k.limits
    const parts = [
      k.key ? 'key=[redacted]' : 'hash',
      k.models ? `models=${k.models.join(',')}` : 'models=*',
      fields(l),
      k.budget ? `budget=$${k.budget.usd}/${k.budget.per}` : '',
      k.expires ? `expires=${String(k.expires)}` : '',
    ].filter(Boolean)
    nodes.push(leaf(`key ${k.id}  ${parts.join(' ')}`))
  }
  const j = a.auth.jwt
  if (j) {
    const verify = j.jwksUrl ? `jwks ${redactUrl(j.jwksUrl)}` : j.secret ? 'HS256 secret=[redacted]' : j.publicKeyFile ? `public key file ${j.publicKeyFile}` : 'public key (inline)'
    const aud = j.audience === undefined ? '' : ` audience=${typeof j.audience === 'string' ? j.audience : j.audience.join(',')}`
    nodes.push(leaf(`jwt ${verify}${j.issuer ? ` issuer=${j.issuer}` : ''}${aud} keyClaim=${j.keyClaim ?? 'sub'} clockTolerance=${ms(j.clockToleranceMs)}`))
  }
  return nodes
}

function limitNodes(plan: Plan): Node[] {
  const l = plan.access.limits
  return [...(l.perIp ? [leaf(`perIp ${fields(l.perIp)}`)] : []), ...(l.global ? [leaf(`global ${fields(l.global)}`)] : [])]
}

function providerNode(p: ProviderPlan): Node {
  const c = p.config
  const g = p.guard
  const b = g.breaker
  const children: Node[] = []
  if (c.apiKey && !c.apiKey.isEmpty) children.push(leaf('apiKey [redacted]'))
  const headers = Object.keys(c.headers ?? {})
  if (headers.length > 0) children.push(leaf(`headers ${headers.join(', ')} (values redacted)`))
  if (c.type === 'azure-openai' && c.apiVersion) children.push(leaf(`apiVersion ${c.apiVersion}`))
  if (c.mock) children.push(leaf(`mock latency=${ms(c.mock.latencyMs)} tokensPerSecond=${c.mock.tokensPerSecond} failRate=${c.mock.failRate}`))
  if (c.grpc) children.push(leaf(`grpc ${c.grpc.preset ? `preset=${c.grpc.preset}` : `${c.grpc.service ?? '?'}/${c.grpc.method ?? '?'}${c.grpc.streamMethod ? ` stream=${c.grpc.streamMethod}` : ''}`}`))
  if (c.graphql) children.push(leaf(`graphql response.text=${c.graphql.response.text}${c.graphql.subscription ? ' (subscription for streams)' : ''}`))
  children.push(
    leaf(
      `protection maxInFlight=${g.maxInFlight} queue=${g.queue.size}/${ms(g.queue.timeoutMs)} ` +
        (b ? `breaker failureRate=${b.failureRate} minRequests=${b.minRequests} window=${ms(b.windowMs)} cooldown=${ms(b.cooldownMs)} halfOpenProbes=${b.halfOpenProbes}` : 'breaker=off'),
    ),
  )
  return { line: `${p.name} (${c.type}) ${c.baseUrl ? redactUrl(c.baseUrl) : 'in-process'}  timeout=${c.timeoutMs}ms pool=${c.connections}${keyPool(c)}  [${p.identity}]`, children }
}

function ruleLine(r: RulePlan): string {
  if (r.type === 'content-filter')
    return `content-filter ${r.action} scope=${r.scope.join(',')} words=${r.words.length}${r.wordsFile ? ` wordsFile=${r.wordsFile}` : ''}`
  if (r.type === 'system-prompt') return `system-prompt ${r.mode} ${quote(r.text)}`
  // option values may hold secrets a plugin was given: their names only
  if (r.type === 'plugin') return `plugin ${r.name ?? '(its own name)'} ${r.module}${Object.keys(r.options).length ? ` options: ${Object.keys(r.options).join(', ')}` : ''}`
  const w = r.when
  const when = [w.model ? `model=${w.model}` : '', ...Object.entries(w.header ?? {}).map(([k, v]) => `header ${k}=${v}`), w.key ? `key=${w.key}` : '', w.ip ? `ip=${w.ip}` : '']
  return `deny when ${when.filter(Boolean).join(' ') || 'always'}: ${quote(r.message)}`
}

function experimentNodes(plan: Plan): Node[] {
  return plan.experiments.map((e) => {
    const rb = e.split.rollback
    const rollback = rb ? `  rollback ${fields({ maxErrorRate: rb.maxErrorRate, maxP95: rb.maxP95Ms === undefined ? undefined : ms(rb.maxP95Ms), minRequests: rb.minRequests, window: ms(rb.windowMs) })}` : ''
    const children = e.split.variants.map((v, i) => {
      const t = e.targets[i]
      return leaf(`${v.name} weight=${v.weight} -> ${t ? `${t.provider}/${t.model}` : "the model's targets"}`)
    })
    return { line: `${e.name} on ${e.model}  stickyBy=${e.split.stickyBy}${rollback}`, children }
  })
}

function modelNode(m: ModelPlan): Node {
  const r = m.retry
  const children: Node[] = m.targets.map((t) => leaf(`-> ${t.provider}/${t.model} weight=${t.weight}`))
  if (m.cache) children.push(leaf(`cache ttl=${ms(m.cache.ttlMs)}`))
  if (m.context) children.push(leaf(`context maxInputTokens=${m.context.maxInputTokens} ${m.context.strategy}`))
  if (m.rules.length > 0) children.push(leaf(`rules ${m.rules.map((x) => `#${x.rule}${x.models ? ` (when model ~ ${x.models.join(',')})` : ''}`).join(' ')}`))
  if (m.pricing) children.push(leaf(`pricing input=$${m.pricing.input} output=$${m.pricing.output} per 1M tokens`))
  const d = m.degrade
  if (d) children.push(leaf(`degrade ${[d.stale ? `stale for=${ms(d.staleForMs)}` : '', d.message === undefined ? '' : `static ${quote(d.message)}`].filter(Boolean).join(', then ')}`))
  if (r.attempts > 1) {
    const on = [...r.statuses.map(String), r.on5xx ? '5xx' : '', r.on4xx ? '4xx' : '', r.onTimeout ? 'timeout' : '', r.onConnect ? 'connect' : ''].filter(Boolean)
    children.push(leaf(`retry attempts=${r.attempts} backoff=${r.backoffMs}ms on=[${on.join(', ')}]`))
  }
  if (m.chain.length > 1) children.push(leaf(`fallback ${m.chain.slice(1).join(' -> ')}`))
  return { line: `${m.name}${m.isGlob ? ' (glob)' : ''}  strategy=${m.strategy}${m.timeoutMs === undefined ? '' : ` timeout=${m.timeoutMs}ms`}`, children }
}
