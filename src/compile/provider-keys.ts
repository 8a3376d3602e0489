/**
 * Provider key pools at compile time (SPEC §3 providers[].apiKeys / apiKeyFile): the key file is read here, on every
 * compile (start, reload, SIGHUP, a watched change of the file), never per request. The keys count in the provider's
 * identity, so new keys make a new client while calls in flight finish on the old one.
 */
import { readFileSync } from 'node:fs'
import { Secret } from '../core/secret.js'
import { createKeyedClient, type KeyedClient, type KeyStat, newKeyStat, parseKeyFile } from '../providers/key-pool.js'
import type { ProviderConfig } from '../providers/config.js'
import type { ProviderClient } from '../providers/types.js'
import type { Registry } from '../state/registry.js'
import { formatIdentity } from './identity.js'
import type { ProviderPlan } from './plan.js'

/** The plan with apiKeyFile read into apiKeys (identity over the keys); others unchanged. Throws, naming the file only. */
export function readKeyFile(p: ProviderPlan): ProviderPlan {
  const file = p.config.apiKeyFile
  if (file === undefined) return p
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    throw new Error(`provider ${p.name}: cannot read apiKeyFile ${file}${code ? ` (${code})` : ''}`)
  }
  const keys = parseKeyFile(text)
  if (keys.length === 0) throw new Error(`provider ${p.name}: apiKeyFile ${file} holds no key (one key per line)`)
  const config: ProviderConfig = { ...p.config, apiKeys: keys.map((k) => new Secret(k)) }
  return { ...p, config, identity: formatIdentity(p.name, config) }
}

/**
 * The per-key state of `p`'s pool, kept in `registry` by provider name (benches and counters survive reloads; a key
 * that stays in the pool keeps its bench). Ask on every compile, so the registry's sweep keeps it; undefined: no pool.
 */
export function keyStats(p: ProviderPlan, registry: Registry): ((fingerprint: string) => KeyStat) | undefined {
  if (p.config.apiKeys === undefined) return undefined
  const stats = registry.keep(`keys:${p.name}`, () => new Map<string, KeyStat>())
  return (fp) => {
    let s = stats.get(fp)
    if (s === undefined) stats.set(fp, (s = newKeyStat(fp)))
    return s
  }
}

/** The client of `p`: a keyed client over its pool when it has one. */
export function createPlannedClient(p: ProviderPlan, stats: ((fingerprint: string) => KeyStat) | undefined, create: (cfg: ProviderConfig) => ProviderClient): ProviderClient {
  return stats === undefined ? create(p.config) : createKeyedClient(p.config, stats, create)
}

export const isKeyed = (c: ProviderClient): c is KeyedClient => 'pool' in c
