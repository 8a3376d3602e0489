/** Import directions of STYLE §2.3, checked on the source: a room may import only the rooms listed for it. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative, dirname, resolve, sep } from 'node:path'
import { packageRoot } from './core/package-root.js'

/** room -> rooms it may import at runtime (`import type` is always allowed). */
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

/** Modules that must never be imported (even lazily) by the rooms `llmgw lint` loads, so it starts cold fast. */
const HEAVY = ['uWebSockets.js', 'undici', 'ink', 'ioredis', 'prom-client', 'pino', 'react']

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) return sourceFiles(p)
    return /\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name) ? [p] : []
  })
}

const IMPORT = /^\s*(?:import|export)\s+(type\s+)?[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm

test('each room imports only the rooms STYLE §2.3 allows', () => {
  const src = join(packageRoot(), 'src')
  const violations: string[] = []
  for (const file of sourceFiles(src)) {
    const room = relative(src, file).split(sep)[0]!
    const allowed = ALLOWED[room]
    if (!allowed || allowed.includes('*') || !relative(src, file).includes(sep)) continue
    const text = readFileSync(file, 'utf8')
    for (const m of text.matchAll(IMPORT)) {
      // `typeof import('x')` is a type position: it loads nothing at run time.
      const isType = Boolean(m[1]) || text.slice(Math.max(0, m.index! - 7), m.index) === 'typeof '
      const spec = m[2] ?? m[3]!
      if (!spec.startsWith('.')) {
        if (!isType && (room === 'spec' || room === 'core') && HEAVY.some((h) => spec === h || spec.startsWith(`${h}/`)))
          violations.push(`${relative(src, file)} imports heavy module ${spec}`)
        continue
      }
      const target = relative(src, resolve(dirname(file), spec)).split(sep)[0]!
      if (target === room || isType) continue
      if (!allowed.includes(target)) violations.push(`${relative(src, file)} (${room}) imports ${spec} (${target})`)
    }
  }
  assert.deepEqual(violations, [])
})
