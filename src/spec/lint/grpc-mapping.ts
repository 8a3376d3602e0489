/**
 * Lint rule grpc-mapping (SPEC §3 providers[].grpc, issue 12): the generic form's proto loads, its service and
 * methods exist (streamMethod server-streaming), every request field and answer path names a field of the
 * request/response message, and request fields are scalars (or lists of them, for `stop`).
 */
import { existsSync } from 'node:fs'
import type * as Protobuf from 'protobufjs'
import { suggest } from '../problems.js'
import type { AnswerPaths, GrpcSettings, RequestMap } from '../protocols.js'
import { lazyRequire } from './lazy-require.js'
import type { Finding, LintRule } from './types.js'

type Path = (string | number)[]

/** Walks a dotted path through message types; the problem, or the field reached. */
function walk(type: Protobuf.Type, path: string, forRequest: boolean): { error: string } | { field: Protobuf.Field } {
  let t: Protobuf.Type = type
  const segs = path.split('.')
  let field: Protobuf.Field | undefined
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i]!
    if (/^\d+$/.test(seg)) {
      if (!field?.repeated) return { error: `'${segs.slice(0, i).join('.')}' is not a repeated field, so it has no index ${seg}` }
      continue
    }
    const f = t.fields[seg]
    if (!f) return { error: `${t.fullName.replace(/^\./, '')} has no field '${seg}'${suggest(seg, Object.keys(t.fields))}` }
    f.resolve()
    field = f
    const next = f.resolvedType
    const last = i === segs.length - 1
    if (!last) {
      if (!next || !('fields' in next)) return { error: `'${segs.slice(0, i + 1).join('.')}' is a ${f.type}, not a message: nothing below it` }
      // a repeated message needs an index before its fields (requests.0.text)
      if (f.repeated && !/^\d+$/.test(segs[i + 1]!)) return { error: `'${segs.slice(0, i + 1).join('.')}' is repeated: give an index (${segs.slice(0, i + 1).join('.')}.0.${segs[i + 1]})` }
      t = next as Protobuf.Type
    }
  }
  if (forRequest && field?.resolvedType && 'fields' in field.resolvedType) return { error: `'${path}' is a message (${field.type}); map its fields instead` }
  return { field: field! }
}

function checkRequest(type: Protobuf.Type, map: RequestMap | undefined, at: Path, out: Finding[]): void {
  for (const [key, src] of Object.entries(map ?? {})) {
    const r = walk(type, key, true)
    if ('error' in r) out.push({ path: [...at, key], at: 'key', message: r.error })
    else if (src === 'stop' && !r.field.repeated) out.push({ path: [...at, key], message: `'stop' is a list; '${key}' is not a repeated field` })
  }
}

function checkAnswer(type: Protobuf.Type, a: AnswerPaths | undefined, at: Path, out: Finding[]): void {
  for (const [key, path] of Object.entries(a ?? {})) {
    if (typeof path !== 'string') continue
    const r = walk(type, path, false)
    if ('error' in r) out.push({ path: [...at, key], message: r.error })
  }
}

function checkGeneric(g: GrpcSettings, at: Path, out: Finding[]): void {
  if (!g.proto || !g.service || !g.method) return // the schema reported what is missing
  if (!existsSync(g.proto)) return void out.push({ path: [...at, 'proto'], message: `proto file not found: ${g.proto}` })
  const protobuf = lazyRequire<typeof Protobuf>('protobufjs')
  let root: Protobuf.Root
  try {
    root = new protobuf.Root().loadSync(g.proto, { keepCase: true })
    root.resolveAll()
  } catch (e) {
    return void out.push({ path: [...at, 'proto'], message: `proto does not load: ${e instanceof Error ? e.message : String(e)}` })
  }
  let service: Protobuf.Service
  try {
    service = root.lookupService(g.service)
  } catch {
    const names: string[] = []
    const collect = (ns: Protobuf.NamespaceBase): void => {
      for (const o of ns.nestedArray) {
        if (o instanceof protobuf.Service) names.push(o.fullName.replace(/^\./, ''))
        else if ('nestedArray' in o) collect(o as Protobuf.NamespaceBase)
      }
    }
    collect(root)
    return void out.push({ path: [...at, 'service'], message: `service '${g.service}' is not in ${g.proto}${suggest(g.service, names)}${names.length ? ` (services: ${names.join(', ')})` : ''}` })
  }
  const method = (key: 'method' | 'streamMethod', name: string): Protobuf.Method | undefined => {
    const m = service.methods[name]
    if (!m) out.push({ path: [...at, key], message: `method '${name}' is not in service ${g.service}${suggest(name, Object.keys(service.methods))}` })
    else if (key === 'method' && (m.requestStream || m.responseStream)) out.push({ path: [...at, key], message: `method '${name}' streams; method must be unary (put streaming methods in streamMethod)` })
    else if (key === 'streamMethod' && !m.responseStream) out.push({ path: [...at, key], message: `method '${name}' does not stream its response` })
    else return m
    return undefined
  }
  const unary = method('method', g.method)
  if (unary) {
    checkRequest(unary.resolvedRequestType!, g.request, [...at, 'request'], out)
    checkAnswer(unary.resolvedResponseType!, g.response, [...at, 'response'], out)
  }
  const stream = g.streamMethod !== undefined ? method('streamMethod', g.streamMethod) : undefined
  if (stream) {
    checkRequest(stream.resolvedRequestType!, g.streamRequest ?? g.request, [...at, g.streamRequest ? 'streamRequest' : 'request'], out)
    checkAnswer(stream.resolvedResponseType!, g.streamResponse ?? g.response, [...at, g.streamResponse ? 'streamResponse' : 'response'], out)
  }
}

export const grpcMapping: LintRule = {
  id: 'grpc-mapping',
  severity: 'error',
  description: 'a grpc provider names a proto, service, method or message field that does not exist',
  check({ spec }) {
    const out: Finding[] = []
    spec.providers.forEach((p, i) => {
      if (p.type === 'grpc' && p.grpc && p.grpc.preset === undefined) checkGeneric(p.grpc, ['providers', i, 'grpc'], out)
    })
    // one mapping checked against both methods' messages reports a shared problem once
    const seen = new Set<string>()
    return out.filter((f) => {
      const k = `${f.path.join('.')}\u0000${f.message}`
      return seen.has(k) ? false : (seen.add(k), true)
    })
  },
}
