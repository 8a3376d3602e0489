/** Files a grpc/graphql provider refers to (SPEC §3 providers[].grpc.proto/ca, graphql.schema): resolved and watched. */
import type { ProviderSpec } from './schema.js'

/** The provider with its file references made absolute by `abs`. */
export function resolveProtocolFiles(p: ProviderSpec, abs: (path: string) => string): ProviderSpec {
  if (p.grpc !== undefined && (p.grpc.proto !== undefined || p.grpc.ca !== undefined)) {
    const g = p.grpc
    return { ...p, grpc: { ...g, ...(g.proto !== undefined ? { proto: abs(g.proto) } : {}), ...(g.ca !== undefined ? { ca: abs(g.ca) } : {}) } }
  }
  if (p.graphql?.schema !== undefined) return { ...p, graphql: { ...p.graphql, schema: abs(p.graphql.schema) } }
  return p
}

/** The files this provider reads at compile time (a change to one reloads the spec). */
export function protocolFiles(p: ProviderSpec): string[] {
  const out: string[] = []
  if (p.grpc?.proto !== undefined) out.push(p.grpc.proto)
  if (p.grpc?.ca !== undefined) out.push(p.grpc.ca)
  if (p.graphql?.schema !== undefined) out.push(p.graphql.schema)
  return out
}
