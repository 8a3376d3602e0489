/** `rules[].type: deny` (SPEC §3 rules): refuse requests matching every `when` condition with 400 request_denied. */
import { GatewayError } from '../core/errors.js'
import { compileGlobs } from '../core/glob.js'
import type { CallContext, Guard } from '../core/pipeline.js'

export interface DenyRule {
  readonly when: { model?: string; header?: Readonly<Record<string, string>>; key?: string; ip?: string }
  readonly message: string
}

type Test = (cx: CallContext) => boolean

/** Header names the server must copy for this rule (Gateway.headerNames). */
export function denyHeaderNames(rule: DenyRule): string[] {
  return Object.keys(rule.when.header ?? {}).map((h) => h.toLowerCase())
}

/**
 * Every condition is compiled once into a small test; the guard denies when all of them hold.
 * `model` is decided at compile time when the model's name is known exactly (`modelName` given, no glob).
 */
export function compileDeny(rule: DenyRule, modelName?: string): Guard | null {
  const tests: Test[] = []
  const w = rule.when
  if (w.model !== undefined) {
    const match = compileGlobs([w.model])
    if (modelName !== undefined) {
      if (!match(modelName)) return null
    } else tests.push((cx) => match(cx.model))
  }
  for (const [name, value] of Object.entries(w.header ?? {})) {
    const h = name.toLowerCase()
    const match = compileGlobs([value])
    tests.push((cx) => {
      const v = cx.ex.headers[h]
      return v !== undefined && match(v)
    })
  }
  if (w.key !== undefined) {
    const match = compileGlobs([w.key])
    tests.push((cx) => cx.caller?.keyId !== undefined && match(cx.caller.keyId))
  }
  if (w.ip !== undefined) {
    const match = compileIp(w.ip)
    tests.push((cx) => match(cx.ex.ip))
  }
  const err = () => new GatewayError('request_denied', rule.message)
  if (tests.length === 0) return () => { throw err() }
  return (cx) => {
    for (const t of tests) if (!t(cx)) return
    throw err()
  }
}

/** An IPv4 address, an IPv4 CIDR ("10.0.0.0/8"), or any other exact text (IPv6 compared as text). */
function compileIp(spec: string): (ip: string) => boolean {
  const m = /^(\d+\.\d+\.\d+\.\d+)\/(\d{1,2})$/.exec(spec)
  if (!m) return (ip) => ip === spec
  const bits = Number(m[2])
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0
  const base = (ipv4(m[1]!) ?? 0) & mask
  return (ip) => {
    const n = ipv4(ip.startsWith('::ffff:') ? ip.slice(7) : ip)
    return n !== undefined && (n & mask) >>> 0 === base >>> 0
  }
}

function ipv4(s: string): number | undefined {
  const p = s.split('.')
  if (p.length !== 4) return undefined
  let n = 0
  for (const x of p) {
    const v = Number(x)
    if (!Number.isInteger(v) || v < 0 || v > 255) return undefined
    n = n * 256 + v
  }
  return n >>> 0
}
