/**
 * Lint rule graphql-mapping (SPEC §3 providers[].graphql, issue 12): the documents parse (a syntax error is reported
 * with its line:col inside the document), `document` is a query or mutation and `subscription` a subscription,
 * mapped variables are declared by the operation, answer paths are fields the operation selects, and with `schema`
 * the documents validate against that SDL.
 */
import { existsSync, readFileSync } from 'node:fs'
import type * as GraphQL from 'graphql'
import { suggest } from '../problems.js'
import type { AnswerPaths, GraphqlSettings } from '../protocols.js'
import { lazyRequire } from './lazy-require.js'
import type { Finding, LintRule } from './types.js'

type Path = (string | number)[]

const where = (e: GraphQL.GraphQLError): string => {
  const l = e.locations?.[0]
  return l ? ` (document line ${l.line}, col ${l.column})` : ''
}

/** Parses a document to its one operation, or reports why not. */
function operation(gql: typeof GraphQL, text: string, kind: 'query/mutation' | 'subscription', at: Path, out: Finding[]): GraphQL.OperationDefinitionNode | undefined {
  let doc: GraphQL.DocumentNode
  try {
    doc = gql.parse(text)
  } catch (e) {
    out.push({ path: at, message: `GraphQL syntax error: ${(e as GraphQL.GraphQLError).message}${where(e as GraphQL.GraphQLError)}` })
    return undefined
  }
  const ops = doc.definitions.filter((d): d is GraphQL.OperationDefinitionNode => d.kind === gql.Kind.OPERATION_DEFINITION)
  if (ops.length !== 1) return void out.push({ path: at, message: `expected exactly one operation, found ${ops.length}` })
  const op = ops[0]!
  const ok = kind === 'subscription' ? op.operation === 'subscription' : op.operation !== 'subscription'
  if (!ok) out.push({ path: at, message: kind === 'subscription' ? `subscription must be a subscription, not a ${op.operation}` : 'document must be a query or mutation (put subscriptions in subscription)' })
  return op
}

/** The response keys (alias or name) the operation selects, as dotted paths. Fragments are taken as selecting anything below. */
function selectedPaths(sel: GraphQL.SelectionSetNode | undefined, prefix: string, out: Set<string>, open: Set<string>): void {
  for (const s of sel?.selections ?? []) {
    if (s.kind === 'Field') {
      const p = prefix + (s.alias?.value ?? s.name.value)
      out.add(p)
      selectedPaths(s.selectionSet, `${p}.`, out, open)
    } else open.add(prefix)
  }
}

function checkAnswer(op: GraphQL.OperationDefinitionNode, a: AnswerPaths, at: Path, out: Finding[]): void {
  const paths = new Set<string>()
  const open = new Set<string>()
  selectedPaths(op.selectionSet, '', paths, open)
  for (const [key, path] of Object.entries(a)) {
    if (typeof path !== 'string') continue
    const plain = path.split('.').filter((s) => !/^\d+$/.test(s)).join('.')
    if (paths.has(plain) || [...open].some((p) => plain.startsWith(p))) continue
    out.push({ path: [...at, key], message: `'${path}' is not selected by the operation${suggest(plain, paths)}` })
  }
}

function checkProvider(gql: typeof GraphQL, g: GraphqlSettings, at: Path, out: Finding[]): void {
  const query = operation(gql, g.document, 'query/mutation', [...at, 'document'], out)
  const sub = g.subscription !== undefined ? operation(gql, g.subscription, 'subscription', [...at, 'subscription'], out) : undefined
  const declared = new Set<string>()
  for (const op of [query, sub]) for (const v of op?.variableDefinitions ?? []) declared.add(v.variable.name.value)
  if (query || sub) {
    for (const key of Object.keys(g.variables)) {
      const name = key.split('.')[0]!
      if (!declared.has(name)) out.push({ path: [...at, 'variables', key], at: 'key', message: `variable '$${name}' is not declared by the operation${suggest(name, declared)}` })
    }
  }
  if (query) checkAnswer(query, g.response, [...at, 'response'], out)
  if (sub) checkAnswer(sub, g.streamResponse ?? g.response, [...at, g.streamResponse ? 'streamResponse' : 'response'], out)
  if (g.schema === undefined) return
  if (!existsSync(g.schema)) return void out.push({ path: [...at, 'schema'], message: `schema file not found: ${g.schema}` })
  let schema: GraphQL.GraphQLSchema
  try {
    schema = gql.buildSchema(readFileSync(g.schema, 'utf8'))
  } catch (e) {
    return void out.push({ path: [...at, 'schema'], message: `schema does not build: ${(e as Error).message}` })
  }
  for (const [key, text] of [['document', g.document], ['subscription', g.subscription]] as const) {
    if (text === undefined) continue
    let doc: GraphQL.DocumentNode
    try {
      doc = gql.parse(text)
    } catch {
      continue // reported above
    }
    for (const e of gql.validate(schema, doc).slice(0, 5)) out.push({ path: [...at, key], message: `${e.message}${where(e)}` })
  }
}

export const graphqlMapping: LintRule = {
  id: 'graphql-mapping',
  severity: 'error',
  description: 'a graphql provider has a document that does not parse or validate, or maps a variable or field it lacks',
  check({ spec }) {
    const out: Finding[] = []
    const gql = spec.providers.some((p) => p.graphql) ? lazyRequire<typeof GraphQL>('graphql') : undefined
    spec.providers.forEach((p, i) => {
      if (gql && p.type === 'graphql' && p.graphql) checkProvider(gql, p.graphql, ['providers', i, 'graphql'], out)
    })
    return out
  },
}
