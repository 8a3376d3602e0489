/**
 * Loads a parser library (protobufjs, graphql) only when a spec has a grpc/graphql provider: `llmgw lint` of any
 * other spec never pays for it (SPEC §2: lint starts cold fast). The name is not a literal, so the lint bundle
 * leaves the library out and node resolves it from dist/ at run time.
 */
import { createRequire } from 'node:module'

const load = createRequire(import.meta.url)

export function lazyRequire<T>(name: 'protobufjs' | 'graphql'): T {
  const id: string = name
  return load(id) as T
}
