/** Import directions of STYLE §2.3, checked on the source: a room may import only the rooms listed for it, types included. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative, dirname, resolve, sep } from 'node:path'
import { packageRoot } from './core/package-root.js'

/** room -> rooms it may import (at run time and with `import type` alike). */
const ALLOWED: Record<string, readonly string[]> = {
  core: [],
  wire: ['core'],
  spec: ['core'],
  state: ['core'],
  providers: ['wire', 'core'],
  stages: ['state', 'wire', 'core'],
  observe: ['core'],
  server: ['core'],
  mock: ['wire', 'core'],
  translate: ['providers', 'wire', 'core'],
  compile: ['translate', 'stages', 'providers', 'state', 'observe', 'wire', 'spec', 'core'],
  ui: ['observe', 'spec', 'core'],
  app: ['compile', 'translate', 'server', 'spec', 'observe', 'stages', 'state', 'providers', 'ui', 'wire', 'core'],
  bench: ['spec', 'mock', 'ui', 'core'],
  profile: ['bench', 'spec', 'ui', 'core'],
  cli: ['app', 'spec', 'ui', 'bench', 'profile', 'mock', 'core', 'observe'],
  testing: ['*'],
  e2e: ['*'],
}

/**
 * What `import type` may reach beyond ALLOWED: STYLE §2.3 "stages/* and providers/* get a slice of the Plan: `import
 * type` from spec/ is fine; a runtime import is not" (spec/ imports only core/, so such an edge closes no circle).
 */
const TYPE_ONLY: Record<string, readonly string[]> = {
  stages: ['spec'],
  providers: ['spec'],
}

/** Modules that must never be imported (even lazily) by the rooms `llmgw lint` loads, so it starts cold fast. */
const HEAVY = ['uWebSockets.js', 'undici', 'ink', 'ioredis', 'prom-client', 'pino', 'react']

interface SourceFile {
  /** Path relative to src/, with `/` or the platform separator. */
  readonly path: string
  readonly text: string
}

function sourceFiles(src: string, dir = src): SourceFile[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) return sourceFiles(src, p)
    return /\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name) ? [{ path: relative(src, p), text: readFileSync(p, 'utf8') }] : []
  })
}

const IMPORT = /^\s*(?:import|export)\s+(type\s+)?[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm

interface Edge {
  readonly from: string
  /** Resolved path relative to src/ (`x.js` as written), or the bare package name. */
  readonly to: string
  readonly spec: string
  readonly isType: boolean
}

const roomOf = (path: string): string => path.split(/[\\/]/)[0]!

function edgesOf(f: SourceFile): Edge[] {
  const edges: Edge[] = []
  for (const m of f.text.matchAll(IMPORT)) {
    // `import type`, `export type ... from`, and `typeof import('x')` (a type position) load nothing at run time.
    const isType = Boolean(m[1]) || f.text.slice(Math.max(0, m.index! - 7), m.index) === 'typeof '
    const spec = m[2] ?? m[3]!
    const to = spec.startsWith('.') ? relative('/src', resolve('/src', dirname(f.path.split(sep).join('/')), spec)).split(sep).join('/') : spec
    edges.push({ from: f.path, to, spec, isType })
  }
  return edges
}

/** Every import that crosses rooms against the tables, and every heavy module a lint-path room loads. */
function layerViolations(files: readonly SourceFile[]): string[] {
  const violations: string[] = []
  for (const f of files) {
    const room = roomOf(f.path)
    const allowed = ALLOWED[room]
    if (!allowed || allowed.includes('*') || !/[\\/]/.test(f.path)) continue
    for (const e of edgesOf(f)) {
      if (!e.spec.startsWith('.')) {
        if (!e.isType && (room === 'spec' || room === 'core') && HEAVY.some((h) => e.spec === h || e.spec.startsWith(`${h}/`)))
          violations.push(`${f.path} imports heavy module ${e.spec}`)
        continue
      }
      const target = roomOf(e.to)
      if (target === room || allowed.includes(target)) continue
      if (e.isType && TYPE_ONLY[room]?.includes(target)) continue
      violations.push(`${f.path} (${room}) imports ${e.isType ? 'type ' : ''}${e.spec} (${target})`)
    }
  }
  return violations
}

/** Import circles between files (type edges count: a types-only circle still means two files that cannot be read apart). */
function importCycles(files: readonly SourceFile[]): string[][] {
  const norm = (p: string) => p.split(sep).join('/').replace(/\.tsx?$/, '')
  const known = new Set(files.map((f) => norm(f.path)))
  const graph = new Map<string, string[]>()
  for (const f of files) graph.set(norm(f.path), edgesOf(f).map((e) => e.to.replace(/\.js$/, '')).filter((t) => known.has(t)))
  // Tarjan's strongly connected components; a component of more than one file is a circle.
  let index = 0
  const stack: string[] = []
  const onStack = new Set<string>()
  const idx = new Map<string, number>()
  const low = new Map<string, number>()
  const cycles: string[][] = []
  const visit = (v: string): void => {
    idx.set(v, index)
    low.set(v, index++)
    stack.push(v)
    onStack.add(v)
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w)
        low.set(v, Math.min(low.get(v)!, low.get(w)!))
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!))
    }
    if (low.get(v) !== idx.get(v)) return
    const c: string[] = []
    let w: string
    do {
      w = stack.pop()!
      onStack.delete(w)
      c.push(w)
    } while (w !== v)
    if (c.length > 1) cycles.push(c.sort())
  }
  for (const v of graph.keys()) if (!idx.has(v)) visit(v)
  return cycles
}

const src = join(packageRoot(), 'src')

test('each room imports only the rooms STYLE §2.3 allows, `import type` included', () => {
  assert.ok(existsSync(join(src, 'core', 'types.ts')), `the source is at ${src}`)
  assert.deepEqual(layerViolations(sourceFiles(src)), [])
})

test('no import circles between source files, types-only ones included', () => {
  assert.deepEqual(importCycles(sourceFiles(src)), [])
})

test('the checks fail on a bad edge: a runtime or type import up or across the floors, a heavy module in spec/, a circle', () => {
  const files: SourceFile[] = [
    { path: 'stages/guard.ts', text: "import type { ProviderClient } from '../providers/types.js'\n" },
    { path: 'state/cache.ts', text: "import type {\n  ResponseCache,\n} from '../stages/cache.js'\n" },
    { path: 'core/x.ts', text: "export type { Plan } from '../compile/plan.js'\n" },
    { path: 'wire/y.ts', text: "type S = typeof import('../spec/schema.js')\n" },
    { path: 'providers/z.ts', text: "import { specSchema } from '../spec/schema.js'\nimport type { Spec } from '../spec/schema.js'\n" },
    { path: 'spec/load.ts', text: "const u = await import('undici')\n" },
    { path: 'app/a.ts', text: "import type { B } from './b.js'\n" },
    { path: 'app/b.ts', text: "import type { A } from './a.js'\n" },
    { path: 'app/c.ts', text: "import { startApp } from '../compile/gateway.js'\n" },
  ]
  assert.deepEqual(layerViolations(files), [
    'stages/guard.ts (stages) imports type ../providers/types.js (providers)',
    'state/cache.ts (state) imports type ../stages/cache.js (stages)',
    'core/x.ts (core) imports type ../compile/plan.js (compile)',
    'wire/y.ts (wire) imports type ../spec/schema.js (spec)',
    'providers/z.ts (providers) imports ../spec/schema.js (spec)',
    'spec/load.ts imports heavy module undici',
  ])
  assert.deepEqual(importCycles(files), [['app/a', 'app/b']])
})
