/**
 * Reload and compile figures (SPEC §6) for a large spec: `node dist/app/reload-figures.js [models] [keys]`.
 * Prints load, compile and file-write -> serving latencies; no assertion (timings are machine-dependent). Run 1 of
 * compile is the cold one (as at startup); runs 2 and 3 are what a reload costs.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { compileGateway } from '../compile/gateway.js'
import { planGateway } from '../compile/plan-gateway.js'
import { loadSpec } from '../spec/load.js'
import { createMemoryStore } from '../state/memory.js'
import { createRegistry } from '../state/registry.js'
import { startApp } from './start.js'

/** A spec with `models` public models over 4 mock providers and `keys` keys with rpm/tpm limits. */
export function largeSpec(models: number, keys: number, tag: string): object {
  return {
    version: 1,
    providers: Array.from({ length: 4 }, (_, i) => ({ name: `p${i}`, type: 'mock', mock: { latency: '1ms' } })),
    models: Array.from({ length: models }, (_, i) => ({
      name: `model-${i}${i === 0 ? tag : ''}`,
      targets: [{ provider: `p${i % 4}`, model: 'mock-1', weight: 3 }, { provider: `p${(i + 1) % 4}`, model: 'mock-1' }],
      retry: { attempts: 2 },
    })),
    keys: Array.from({ length: keys }, (_, i) => ({ id: `key-${i}`, key: `sk-client-${i}-${'x'.repeat(16)}`, models: ['model-*'], limits: { rpm: 600, tpm: 100000 } })),
  }
}

const ms = (t0: number): string => `${(performance.now() - t0).toFixed(1)} ms`

export async function measureReloadFigures(models: number, keys: number, log: (line: string) => void): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'llmgw-figures-'))
  try {
    const file = join(dir, 'llmgw.config.json')
    await writeFile(file, JSON.stringify(largeSpec(models, keys, '')))
    let t0 = performance.now()
    const r = await loadSpec({ file, cwd: dir })
    if (!r.ok) throw new Error(`spec invalid: ${r.problems[0]?.message}`)
    log(`load+validate ${models} models / ${keys} keys: ${ms(t0)}`)
    const state = { store: createMemoryStore(), registry: createRegistry() }
    for (let i = 0; i < 3; i++) {
      t0 = performance.now()
      const g = compileGateway(planGateway(r.spec, r.version), state)
      log(`plan + compile (protection included) run ${i + 1}: ${ms(t0)}`)
      await g.retire()
    }
    const app = await startApp({ file, host: '127.0.0.1', port: 0, watch: true, dashboard: false, accessLog: false, cwd: dir })
    try {
      for (let i = 1; i <= 3; i++) {
        const before = app.version
        t0 = performance.now()
        await writeFile(file, JSON.stringify(largeSpec(models, keys, `-v${i}`)))
        while (app.version === before && performance.now() - t0 < 30_000) await new Promise((res) => setTimeout(res, 2))
        log(`file write -> new Gateway serving (watch, debounce included) run ${i}: ${ms(t0)}`)
      }
      t0 = performance.now()
      await writeFile(file, JSON.stringify(largeSpec(models, keys, '-admin')))
      const out = await app.reload()
      log(`app.reload() (load + compile + swap, no watcher debounce): ${ms(t0)} ok=${out.ok}`)
    } finally {
      await app.shutdown()
    }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/').split('/').pop() ?? '\0')) {
  const [models = '1000', keys = '10000'] = process.argv.slice(2)
  await measureReloadFigures(Number(models), Number(keys), (l) => process.stdout.write(`${l}\n`))
}
