/** Prints what a spec compiles to (STYLE §2.4 "print what was compiled"): routes, models, targets, retries, fallbacks. */
import type { ProviderConfig } from '../providers/config.js'
import type { Plan } from './plan.js'

/** " keys=2 round-robin" / " keys=file:/path least-rate-limited": how many keys, never which. */
const keyPool = (c: ProviderConfig): string =>
  c.apiKeyFile !== undefined ? ` keys=file:${c.apiKeyFile} ${c.keyStrategy ?? 'round-robin'}` : c.apiKeys !== undefined ? ` keys=${c.apiKeys.length} ${c.keyStrategy ?? 'round-robin'}` : ''

/** The Plan as an indented tree, like find-my-way's prettyPrint: for `--explain`, reviews and support tickets. */
export function formatPlanTree(plan: Plan): string {
  const out: string[] = []
  const s = plan.server
  out.push(`server ${s.host}:${s.port}  workers=${s.workers} maxBody=${s.maxBodyBytes}B timeout=${s.requestTimeoutMs}ms keepalive=${s.sseKeepaliveMs}ms`)
  out.push(`admin ${plan.admin.port === undefined ? 'on the main port' : `port ${plan.admin.port}`}${plan.admin.token ? ' (token)' : ''}`)
  out.push('routes')
  for (const r of ['POST /v1/chat/completions', 'POST /v1/completions', 'POST /v1/embeddings', 'POST /v1/messages', 'GET /v1/models', 'GET /v1/ws'])
    out.push(`├─ ${r}`)
  out.push('providers')
  plan.providers.forEach((p, i) => {
    const last = i === plan.providers.length - 1
    out.push(`${last ? '└─' : '├─'} ${p.name} (${p.config.type}) ${p.config.baseUrl || 'in-process'}  timeout=${p.config.timeoutMs}ms pool=${p.config.connections}${keyPool(p.config)}  [${p.identity}]`)
  })
  out.push('models')
  plan.models.forEach((m, i) => {
    const last = i === plan.models.length - 1
    const bar = last ? '   ' : '│  '
    const r = m.retry
    out.push(`${last ? '└─' : '├─'} ${m.name}${m.isGlob ? ' (glob)' : ''}  strategy=${m.strategy}${m.timeoutMs === undefined ? '' : ` timeout=${m.timeoutMs}ms`}`)
    m.targets.forEach((t, j) => out.push(`${bar}${j === m.targets.length - 1 && r.attempts <= 1 && m.chain.length <= 1 ? '└─' : '├─'} -> ${t.provider}/${t.model} weight=${t.weight}`))
    if (r.attempts > 1) {
      const on = [...r.statuses.map(String), r.on5xx ? '5xx' : '', r.on4xx ? '4xx' : '', r.onTimeout ? 'timeout' : '', r.onConnect ? 'connect' : ''].filter(Boolean)
      out.push(`${bar}${m.chain.length > 1 ? '├─' : '└─'} retry attempts=${r.attempts} backoff=${r.backoffMs}ms on=[${on.join(', ')}]`)
    }
    if (m.chain.length > 1) out.push(`${bar}└─ fallback ${m.chain.slice(1).join(' -> ')}`)
  })
  return out.join('\n')
}
